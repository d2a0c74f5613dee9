/* jpeglib.h expects FILE and size_t to be declared before it. */
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
