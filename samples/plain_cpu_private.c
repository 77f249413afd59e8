/* plain_cpu_private.c: plaincpu_matmul multiplies an n x m matrix by an m x p matrix into
 * a caller-provided n x p result, row-major (the textbook triple loop a BLAS fallback
 * uses).  This file does not include Python.h: no GIL, gil=none.  All three loops only do
 * arithmetic on the arrays the caller passes in, with bounds that are parameters (so not
 * trivial), and touch no globals and call nothing thread-unsafe: cpu on private data, so
 * splitting the rows across threads is safe: threading.  No diagnostics. */
#include <stddef.h>

/* c = a * b, where a is n x m, b is m x p and c is n x p, all row-major and owned by the
 * caller; c must not overlap a or b.  Returns 0, or -1 when a dimension is zero. */
int
plaincpu_matmul(size_t n, size_t m, size_t p,
                const double *a, const double *b, double *c)
{
    size_t i, j, k;
    double acc;

    if (n == 0 || m == 0 || p == 0)
        return -1;
    /* expect: loop classification=cpu gil=none recommendation=threading python_api=false */
    for (i = 0; i < n; i++) {
        /* expect: loop classification=cpu gil=none recommendation=threading python_api=false */
        for (j = 0; j < p; j++) {
            acc = 0.0;
            /* expect: loop classification=cpu gil=none recommendation=threading python_api=false */
            for (k = 0; k < m; k++)
                acc += a[i * m + k] * b[k * p + j];
            c[i * p + j] = acc;
        }
    }
    return 0;
}
