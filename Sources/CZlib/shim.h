/* zlib from the system (Debian: zlib1g-dev), for the HdrHistogram compressed V2 encoding. */
#include <zlib.h>
