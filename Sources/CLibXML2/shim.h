#ifndef SECOR_CLIBXML2_SHIM_H
#define SECOR_CLIBXML2_SHIM_H
/* libxml2's headers pull in ICU headers that clash with Foundation's copy:
   read the configuration first, then switch ICU off before the rest. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlIO.h>
#endif
