/* pyexec's linked libm: the C names lowered code calls, over glibc 2.36's own double-precision code
   (sysdeps/ieee754/dbl-64, built by build_libm.py). glibc's public symbols are thin wrappers that set
   errno around these same functions, so the values are glibc's. float32 functions compute in double
   and round once, exactly as pyexec's Python loader does (Python's math has no float32 functions). */
#include "glibc_shim.h"


#define PUBLIC __attribute__((visibility("default")))
#define UNARY(name, impl) \
  PUBLIC double name(double x) { return impl(x); } \
  PUBLIC float name##f(float x) { return (float)impl((double)x); }
#define BINARY(name, impl) \
  PUBLIC double name(double x, double y) { return impl(x, y); } \
  PUBLIC float name##f(float x, float y) { return (float)impl((double)x, (double)y); }

UNARY(exp, __exp)
UNARY(expm1, __expm1)
UNARY(log, __log)
UNARY(log2, __log2)
UNARY(log10, __ieee754_log10)
UNARY(log1p, __log1p)
UNARY(sin, __sin)
UNARY(cos, __cos)
UNARY(tan, __tan)
UNARY(asin, __ieee754_asin)
UNARY(acos, __ieee754_acos)
UNARY(atan, __atan)
UNARY(sinh, __ieee754_sinh)
UNARY(cosh, __ieee754_cosh)
UNARY(tanh, __tanh)
BINARY(atan2, __ieee754_atan2)
BINARY(hypot, __hypot)
BINARY(pow, __pow)
BINARY(fmod, __ieee754_fmod)
UNARY(asinh, __asinh)
UNARY(acosh, __ieee754_acosh)
UNARY(atanh, __ieee754_atanh)
UNARY(cbrt, __cbrt)
UNARY(erf, __erf)
UNARY(erfc, __erfc)

/* LLVM rewrites pow(2.0, x) into exp2(x): exp2 is pow(2.0, x) here, so the value stays math.pow's. */
PUBLIC double exp2(double x) { return __pow(2.0, x); }
PUBLIC float exp2f(float x) { return (float)__pow(2.0, (double)x); }

/* LLVM rewrites pow(2.0, n) for an integer n into ldexp(1.0, n): glibc's math/s_ldexp_template.c. */
PUBLIC double ldexp(double x, int n) { return !isfinite(x) || x == 0 ? x + x : __scalbn(x, n); }
PUBLIC float ldexpf(float x, int n) { return (float)ldexp((double)x, n); }
