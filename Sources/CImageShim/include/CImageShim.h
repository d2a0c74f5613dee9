/*
 * A small C layer between libjpeg and Swift. libjpeg reports fatal errors by calling an
 * error_exit callback that must not return; the only safe way out is longjmp, which Swift code
 * cannot do or survive. This file keeps setjmp/longjmp entirely inside C: every libjpeg call runs
 * below a setjmp in nshim_jpeg_decode, and the error handler jumps back there, never across a
 * Swift frame. Nothing is printed and the process is never terminated.
 */
#ifndef CIMAGESHIM_H
#define CIMAGESHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of decoding one JPEG stream. */
typedef struct nshim_jpeg_image {
    /* Interleaved 8-bit samples, width * height * components bytes, allocated with malloc;
       release with nshim_free. NULL when decoding failed. */
    unsigned char *pixels;
    int width;
    int height;
    /* 1 (gray), 3 (RGB) or 4 (CMYK as stored). */
    int components;
    /* 1 when the samples are CMYK written by Adobe software, which stores them inverted. */
    int adobe_inverted;
    /* Warnings that mean the entropy-coded data is damaged or cut short. */
    int corrupt_warnings;
    /* Warnings that do not affect the pixels (unknown JFIF revision, extraneous bytes, ...). */
    int benign_warnings;
    /* The libjpeg message of the error, or of the first corrupt-data warning. */
    char message[200];
} nshim_jpeg_image;

/*
 * Decodes a JPEG held in memory at full resolution (ISLOW IDCT, fancy upsampling: libjpeg's
 * defaults). Gray streams come out as gray, YCbCr/RGB streams as RGB, CMYK and YCCK streams
 * as CMYK.
 * Streams whose width * height exceeds max_pixels are refused before any pixel is allocated.
 * Returns 0 on success; otherwise a nonzero code, result->pixels is NULL and result->message
 * says why. Corrupt-data warnings do not make it fail: the caller reads corrupt_warnings.
 */
int nshim_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels,
                      nshim_jpeg_image *result);

/* Frees memory returned by this library. */
void nshim_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
