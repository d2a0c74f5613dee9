#include "CImageShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/* libjpeg's error manager extended with the jump target and the tallies we report. */
struct shim_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    nshim_jpeg_image *result;
};

static void shim_error_exit(j_common_ptr cinfo) {
    struct shim_error_manager *manager = (struct shim_error_manager *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, manager->result->message);
    longjmp(manager->jump, 1);
}

static int is_corrupt_data_warning(int code) {
    switch (code) {
    case JWRN_ARITH_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
        return 1;
    default:
        return 0;
    }
}

/* Level -1 is a warning; levels >= 0 are trace messages, which we ignore. Never prints. */
static void shim_emit_message(j_common_ptr cinfo, int level) {
    struct shim_error_manager *manager = (struct shim_error_manager *)cinfo->err;
    if (level >= 0) return;
    if (is_corrupt_data_warning(cinfo->err->msg_code)) {
        if (manager->result->corrupt_warnings == 0)
            (*cinfo->err->format_message)(cinfo, manager->result->message);
        manager->result->corrupt_warnings += 1;
    } else {
        manager->result->benign_warnings += 1;
    }
}

static void shim_output_message(j_common_ptr cinfo) { (void)cinfo; }

int nshim_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels,
                      nshim_jpeg_image *result) {
    struct jpeg_decompress_struct cinfo;
    struct shim_error_manager manager;
    unsigned char *volatile pixels = NULL;

    memset(result, 0, sizeof(*result));
    if (data == NULL || size == 0) {
        snprintf(result->message, sizeof(result->message), "empty input");
        return 1;
    }
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = shim_error_exit;
    manager.base.emit_message = shim_emit_message;
    manager.base.output_message = shim_output_message;
    manager.result = result;

    if (setjmp(manager.jump)) {
        /* Reached from shim_error_exit: the message is already in result. */
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        result->pixels = NULL;
        return 2;
    }

    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        cinfo.out_color_space = JCS_CMYK;
    } else if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    if ((size_t)cinfo.image_width * (size_t)cinfo.image_height > max_pixels) {
        snprintf(result->message, sizeof(result->message),
                 "image of %u x %u pixels exceeds the limit of %zu pixels",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return 3;
    }

    jpeg_start_decompress(&cinfo);
    {
        size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
        pixels = malloc(stride * (size_t)cinfo.output_height);
        if (pixels == NULL) {
            snprintf(result->message, sizeof(result->message), "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return 4;
        }
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW row = pixels + stride * cinfo.output_scanline;
            jpeg_read_scanlines(&cinfo, &row, 1);
        }
    }
    result->width = (int)cinfo.output_width;
    result->height = (int)cinfo.output_height;
    result->components = cinfo.output_components;
    result->adobe_inverted = cinfo.out_color_space == JCS_CMYK && cinfo.saw_Adobe_marker;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    result->pixels = pixels;
    return 0;
}

void nshim_free(void *pointer) { free(pointer); }
