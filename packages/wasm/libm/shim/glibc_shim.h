/* Stand-ins for the glibc-internal headers that glibc 2.36's sysdeps/ieee754/dbl-64 sources include,
   for a freestanding wasm32 build (pyexec's linked libm). Only what changes nothing in the results:
   wasm32 has one rounding mode (to nearest) and no FP exception flags, so the rounding-mode and
   barrier helpers are no-ops, and errno is never written (the code keeps no mutable global state, so any
   number of threads may call it). */
#ifndef PYEXEC_GLIBC_SHIM_H
#define PYEXEC_GLIBC_SHIM_H
#include <stdint.h>
#include <float.h>

#define attribute_hidden
#define attribute_tls_model_ie
#define __glibc_likely(c) __builtin_expect((c), 1)
#define __glibc_unlikely(c) __builtin_expect((c), 0)
#define __always_inline __inline __attribute__((__always_inline__))
#define __set_errno(e) ((void)0)
#define WANT_ERRNO 0
#define errno (*(int[1]){0}) /* a fresh temporary: an assignment to errno stores nowhere shared */
#define EDOM 33
#define ERANGE 34

/* math.h */
#define HUGE_VAL (__builtin_huge_val())
#define INFINITY (__builtin_inff())
#define NAN (__builtin_nanf(""))
#define FP_NAN 0
#define FP_INFINITE 1
#define FP_ZERO 2
#define FP_SUBNORMAL 3
#define FP_NORMAL 4
#define fpclassify(x) __builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL, FP_ZERO, x)
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define isless(x, y) __builtin_isless(x, y)
#define isgreater(x, y) __builtin_isgreater(x, y)
#define signbit(x) __builtin_signbit(x)
#define issignaling(x) 0
#define fabs(x) __builtin_fabs(x)
#define fabsf(x) __builtin_fabsf(x)
#define copysign(x, y) __builtin_copysign(x, y)
#define sqrt(x) __builtin_sqrt(x)
#define __builtin_sqrt_fn sqrt
typedef double double_t;
typedef float float_t;
#define M_PI 3.14159265358979323846
#define M_PI_2 1.57079632679489661923
#define M_PI_4 0.78539816339744830962
#define M_1_PI 0.31830988618379067154
#define M_2_PI 0.63661977236758134308
#define math_errhandling 0

/* math-barriers.h, math-narrow-eval.h, math-underflow.h, fenv_private.h */
#define math_opt_barrier(x) (x)
#define math_force_eval(x) ((void)(x))
#define math_narrow_eval(x) (x)
#define math_check_force_underflow(x) ((void)0)
#define math_check_force_underflow_nonneg(x) ((void)0)
#define math_check_force_underflow_complex(x) ((void)0)
#define FE_TONEAREST 0
#define SET_RESTORE_ROUND(m) ((void)0)
#define SET_RESTORE_ROUND_53BIT(m) ((void)0)
#define SET_RESTORE_ROUND_NOEX(m) ((void)0)
#define get_rounding_mode() FE_TONEAREST
#define libc_fegetround() FE_TONEAREST
#define DIAG_PUSH_NEEDS_COMMENT
#define DIAG_POP_NEEDS_COMMENT
#define DIAG_IGNORE_NEEDS_COMMENT(v, o)
#define FIX_INT_FP_CONVERT_ZERO 0
#define USE_SQRT_BUILTIN 1
#define USE_FMA_BUILTIN 0
#define LIBM_SVID_COMPAT 0
#define _LIB_VERSION 0

/* libm-alias-*.h: pyexec_libm.c defines the public names itself. */
#define libm_alias_double(from, to)
#define libm_alias_finite(from, to)
#define libm_alias_float(from, to)
#define declare_mgen_alias(from, to)
#define hidden_def(x)
#define libm_hidden_def(x)
#define libm_hidden_proto(x)
#define weak_alias(a, b)
#define strong_alias(a, b)
#define versioned_symbol(a, b, c, d)
#define compat_symbol(a, b, c, d)
#define SHLIB_COMPAT(a, b, c) 0

/* math_private.h: the IEEE double's words (little-endian) */
typedef union { double value; struct { uint32_t lsw; uint32_t msw; } parts; uint64_t word; } ieee_double_shape_type;
#define EXTRACT_WORDS(ix0, ix1, d) do { ieee_double_shape_type ew_u; ew_u.value = (d); (ix0) = ew_u.parts.msw; (ix1) = ew_u.parts.lsw; } while (0)
#define EXTRACT_WORDS64(i, d) do { ieee_double_shape_type gh_u; gh_u.value = (d); (i) = gh_u.word; } while (0)
#define GET_HIGH_WORD(i, d) do { ieee_double_shape_type gh_u; gh_u.value = (d); (i) = gh_u.parts.msw; } while (0)
#define GET_LOW_WORD(i, d) do { ieee_double_shape_type gl_u; gl_u.value = (d); (i) = gl_u.parts.lsw; } while (0)
#define INSERT_WORDS(d, ix0, ix1) do { ieee_double_shape_type iw_u; iw_u.parts.msw = (ix0); iw_u.parts.lsw = (ix1); (d) = iw_u.value; } while (0)
#define INSERT_WORDS64(d, i) do { ieee_double_shape_type iw_u; iw_u.word = (i); (d) = iw_u.value; } while (0)
#define SET_HIGH_WORD(d, v) do { ieee_double_shape_type sh_u; sh_u.value = (d); sh_u.parts.msw = (v); (d) = sh_u.value; } while (0)
#define SET_LOW_WORD(d, v) do { ieee_double_shape_type sl_u; sl_u.value = (d); sl_u.parts.lsw = (v); (d) = sl_u.value; } while (0)
typedef union { float value; uint32_t word; } ieee_float_shape_type;
#define GET_FLOAT_WORD(i, d) do { ieee_float_shape_type gf_u; gf_u.value = (d); (i) = gf_u.word; } while (0)
#define SET_FLOAT_WORD(d, i) do { ieee_float_shape_type sf_u; sf_u.word = (i); (d) = sf_u.value; } while (0)

/* The glibc-internal entry points the sources define and call each other by. */
double __ieee754_exp(double); double __exp(double); double __exp1(double, double);
double __ieee754_log(double); double __log(double); double __log2(double); double __ieee754_log2(double);
double __ieee754_log10(double); double __log1p(double); double __expm1(double);
double __sin(double); double __cos(double); double __tan(double);
double __ieee754_asin(double); double __ieee754_acos(double); double __atan(double);
double __ieee754_atan2(double, double); double __ieee754_sinh(double); double __ieee754_cosh(double);
double __tanh(double); double __hypot(double, double); double __pow(double, double);
double __ieee754_pow(double, double); double __ieee754_fmod(double, double);
int __branred(double, double *, double *); double __scalbn(double, int);
double __asinh(double); double __ieee754_acosh(double); double __ieee754_atanh(double); double __cbrt(double);
double __erf(double); double __erfc(double); double __frexp(double, int *);
#define __ldexp(x, n) __scalbn(x, n)
double __ieee754_sqrt(double);
#define __ieee754_sqrt(x) __builtin_sqrt(x)
#define __ieee754_exp(x) __exp(x)
#define __ieee754_log(x) __log(x)
#define __ieee754_log2(x) __log2(x)
#define __ieee754_pow(x, y) __pow(x, y)
#define __copysign(x, y) __builtin_copysign(x, y)
#define __fabs(x) __builtin_fabs(x)
#define __isnan(x) __builtin_isnan(x)
#define __isinf(x) __builtin_isinf_sign(x)
#define __finite(x) __builtin_isfinite(x)
#define __issignaling(x) 0

#ifndef __BYTE_ORDER
#define __LITTLE_ENDIAN 1234
#define __BIG_ENDIAN 4321
#define __BYTE_ORDER __LITTLE_ENDIAN
#define __FLOAT_WORD_ORDER __BYTE_ORDER
#endif
/* include/endian.h (inside glibc): which 32-bit half of a double holds the exponent */
#define LITTLE_ENDI 1
#define HIGH_HALF 1
#define LOW_HALF 0
#define HIGH_ORDER_BIT_IS_SET_FOR_SNAN 0
#define DIAG_IGNORE_Os_NEEDS_COMMENT(v, o)
/* fmin/fmax for glibc's hypot (glibc's s_fmax_template.c, signed zeros included), inline: no libcall in freestanding code */
#define USE_FMAX_BUILTIN 0
#define USE_FMIN_BUILTIN 0
static inline double pyexec_fmax(double x, double y) { return x >= y ? x : x < y ? y : __builtin_isnan(y) ? x : y; }
static inline double pyexec_fmin(double x, double y) { return x <= y ? x : x > y ? y : __builtin_isnan(y) ? x : y; }
#define fmax(x, y) pyexec_fmax(x, y)
#define fmin(x, y) pyexec_fmin(x, y)
#endif
