/* pyexec native runtime for C callers: what lowered code calls for print(), round(x, n) and the
 * stack limit of recursive code.
 *
 * Linked into every <base>.o / <base>.so that compile_llvm writes. Output goes to C's stdout
 * (buffered like printf), formatted as CPython's str() would: floats as the shortest repr that
 * round-trips ("0.1", "1e+16", "-0.0", "inf", "nan"), float32 as NumPy prints it (shortest digits
 * that round-trip as float32, exponent from 1e6), complex as "(1+2j)", bools as True/False.
 * Symbols are hidden, so two pyexec libraries in one program do not clash.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_getattr_np */
#endif
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYEXEC_HIDDEN __attribute__((visibility("hidden")))

/* Shortest digits that round-trip: d.ddd and a decimal exponent, like repr's 'r' mode. */
static void shortest_digits(double x, int is_float32, char *digits, int *exponent) {
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        int same = is_float32 ? (strtof(buf, NULL) == (float)x) : (strtod(buf, NULL) == x);
        if (same) break;
    }
    /* buf is "[-]d.ddde[+-]XX" */
    const char *p = buf;
    if (*p == '-') p++;
    int n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = '\0';
    *exponent = atoi(p + 1);
}

/* Format like CPython's float repr ('r' mode); add_dot_0 appends ".0" to integral values (repr
 * of a float does, the parts of a complex do not). */
static void format_float(double x, int is_float32, int add_dot_0, char *out) {
    if (isnan(x)) { strcpy(out, "nan"); return; }
    if (isinf(x)) { strcpy(out, x < 0 ? "-inf" : "inf"); return; }
    char digits[32];
    int e;
    shortest_digits(x, is_float32, digits, &e);
    char *o = out;
    if (signbit(x)) *o++ = '-';
    int nd = (int)strlen(digits);
    int decpt = e + 1;
    /* CPython switches to exponent notation at 1e16; NumPy's float32 at 1e6 */
    if (decpt <= -4 || decpt > (is_float32 ? 6 : 16)) {
        *o++ = digits[0];
        if (nd > 1) { *o++ = '.'; memcpy(o, digits + 1, nd - 1); o += nd - 1; }
        sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        return;
    }
    if (decpt <= 0) {
        *o++ = '0'; *o++ = '.';
        for (int i = 0; i < -decpt; i++) *o++ = '0';
        memcpy(o, digits, nd); o += nd;
    } else if (decpt >= nd) {
        memcpy(o, digits, nd); o += nd;
        for (int i = nd; i < decpt; i++) *o++ = '0';
        if (add_dot_0) { *o++ = '.'; *o++ = '0'; }
    } else {
        memcpy(o, digits, decpt); o += decpt;
        *o++ = '.';
        memcpy(o, digits + decpt, nd - decpt); o += nd - decpt;
    }
    *o = '\0';
}

static void print_complex(double re, double im, int is_float32) {
    char a[64], b[64];
    format_float(im, is_float32, 0, b);
    if (re == 0.0 && !signbit(re)) {
        printf("%sj", b);
        return;
    }
    format_float(re, is_float32, 0, a);
    printf("(%s%s%sj)", a, b[0] == '-' ? "" : "+", b);
}

PYEXEC_HIDDEN void pyexec_print_i64(int64_t v) { printf("%lld", (long long)v); }
PYEXEC_HIDDEN void pyexec_print_u64(uint64_t v) { printf("%llu", (unsigned long long)v); }
PYEXEC_HIDDEN void pyexec_print_bool(int32_t v) { fputs(v ? "True" : "False", stdout); }
PYEXEC_HIDDEN void pyexec_print_str(const char *s) { fputs(s, stdout); }
PYEXEC_HIDDEN void pyexec_print_text(const char *s, int64_t n) { fwrite(s, 1, (size_t)n, stdout); }

PYEXEC_HIDDEN void pyexec_print_f64(double v) {
    char buf[64];
    format_float(v, 0, 1, buf);
    fputs(buf, stdout);
}

PYEXEC_HIDDEN void pyexec_print_f32(float v) {
    char buf[64];
    format_float(v, 1, 1, buf);
    fputs(buf, stdout);
}

PYEXEC_HIDDEN void pyexec_print_c128(double re, double im) { print_complex(re, im, 0); }
PYEXEC_HIDDEN void pyexec_print_c64(float re, float im) { print_complex(re, im, 1); }

/* The message of a failed `assert test, value`: str(value) as print writes it, in a buffer of the calling
 * thread (the error state points at it until the thread's next failed assert). */
static __thread char assert_message[160];

static void complex_text(double re, double im, int is_float32, char *out) {
    char a[64], b[64];
    format_float(im, is_float32, 0, b);
    if (re == 0.0 && !signbit(re)) {
        snprintf(out, sizeof assert_message, "%sj", b);
        return;
    }
    format_float(re, is_float32, 0, a);
    snprintf(out, sizeof assert_message, "(%s%s%sj)", a, b[0] == '-' ? "" : "+", b);
}

PYEXEC_HIDDEN const char *pyexec_assert_i64(int64_t v) {
    snprintf(assert_message, sizeof assert_message, "%lld", (long long)v);
    return assert_message;
}
PYEXEC_HIDDEN const char *pyexec_assert_u64(uint64_t v) {
    snprintf(assert_message, sizeof assert_message, "%llu", (unsigned long long)v);
    return assert_message;
}
PYEXEC_HIDDEN const char *pyexec_assert_bool(int32_t v) { return v ? "True" : "False"; }
PYEXEC_HIDDEN const char *pyexec_assert_f64(double v) { format_float(v, 0, 1, assert_message); return assert_message; }
PYEXEC_HIDDEN const char *pyexec_assert_f32(float v) { format_float(v, 1, 1, assert_message); return assert_message; }
PYEXEC_HIDDEN const char *pyexec_assert_c128(double re, double im) {
    complex_text(re, im, 0, assert_message);
    return assert_message;
}
PYEXEC_HIDDEN const char *pyexec_assert_c64(float re, float im) {
    complex_text(re, im, 1, assert_message);
    return assert_message;
}

/* round(x, n): correctly rounded, half to even on the exact binary value, like CPython's
 * dtoa-based round. glibc's printf rounds exactly, so decimal text is the oracle. */
PYEXEC_HIDDEN double pyexec_round_ndigits(double x, int64_t n) {
    char buf[512];
    if (!isfinite(x) || x == 0.0) return x;
    if (n > 323) return x;
    if (n >= 0) {
        snprintf(buf, sizeof buf, "%.*f", (int)n, x);
        return strtod(buf, NULL);
    }
    if (n < -308) return copysign(0.0, x);
    snprintf(buf, sizeof buf, "%.17e", x); /* the exact decimal exponent of x */
    int e = atoi(strchr(buf, 'e') + 1);
    long long significant = (long long)e + 1 + n;
    if (significant <= 0) {
        double unit = pow(10.0, (double)-n);
        double half = unit / 2.0;
        if (significant == 0 && fabs(x) > half) return copysign(unit, x);
        return copysign(0.0, x);
    }
    snprintf(buf, sizeof buf, "%.*e", (int)(significant - 1), x);
    return strtod(buf, NULL);
}

/* The lowest address recursive code may reach on the calling thread: the bottom of the thread's
 * stack plus a reserve (an eighth of the stack, 16 KiB to 256 KiB) for what runs after the limit
 * is hit. The bounds are read once per thread; `here` (an address on the caller's stack) detects a
 * foreign stack (then, as when the bounds are unknown, the limit is 1 MiB below `here`). */
#define PYEXEC_STACK_BUDGET (1u << 20)
#define PYEXEC_RESERVE_MIN (16u << 10)
#define PYEXEC_RESERVE_MAX (256u << 10)

static void stack_bounds(uintptr_t *low, uintptr_t *high) {
    *low = *high = 0;
#if defined(__APPLE__)
    pthread_t self = pthread_self();
    *high = (uintptr_t)pthread_get_stackaddr_np(self);
    *low = *high - (uintptr_t)pthread_get_stacksize_np(self);
#elif defined(__linux__) || defined(__GLIBC__)
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        *low = (uintptr_t)addr;
        *high = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&attr);
#endif
}

PYEXEC_HIDDEN uint64_t pyexec_stack_limit(uint64_t here) {
    static __thread uintptr_t low, high;
    static __thread int known;
    if (!known) {
        stack_bounds(&low, &high);
        known = 1;
    }
    if (low < here && here <= high) {
        uintptr_t reserve = (high - low) / 8;
        if (reserve < PYEXEC_RESERVE_MIN) reserve = PYEXEC_RESERVE_MIN;
        if (reserve > PYEXEC_RESERVE_MAX) reserve = PYEXEC_RESERVE_MAX;
        return low + reserve;
    }
    return here > PYEXEC_STACK_BUDGET ? here - PYEXEC_STACK_BUDGET : 1;
}
