/* The native benchmark's kernels in C, compiled by benchmarks/native.py with gcc -O2. */
#include <stdint.h>

int64_t fib(int64_t n) {
    if (n <= 1) return n;
    return fib(n - 1) + fib(n - 2);
}

int64_t loop_sum(int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += i;
    return s;
}

static int is_prime(int64_t n) {
    if (n < 2) return 0;
    if (n % 2 == 0) return n == 2;
    for (int64_t i = 3; i * i <= n; i += 2)
        if (n % i == 0) return 0;
    return 1;
}

int64_t count_primes(int64_t n) {
    int64_t count = 0;
    for (int64_t k = 0; k < n; k++) count += is_prime(k);
    return count;
}

int64_t mandelbrot(int64_t width, int64_t height, int64_t max_iter) {
    int64_t total = 0;
    for (int64_t py = 0; py < height; py++) {
        for (int64_t px = 0; px < width; px++) {
            double cr = -2.0 + 3.0 * (double)px / (double)width;
            double ci = -1.5 + 3.0 * (double)py / (double)height;
            double zr = 0.0, zi = 0.0;
            int64_t i = 0;
            while (i < max_iter && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i++;
            }
            total += i;
        }
    }
    return total;
}
