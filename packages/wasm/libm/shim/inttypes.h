/* pyexec: glibc's e_atanh.c includes <inttypes.h> for its integer macros; <stdint.h> has them. */
#include <stdint.h>
