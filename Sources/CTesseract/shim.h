#ifndef SECOR_CTESSERACT_SHIM_H
#define SECOR_CTESSERACT_SHIM_H
#include <tesseract/capi.h>
#endif
