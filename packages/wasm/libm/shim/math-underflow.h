#include "glibc_shim.h"
