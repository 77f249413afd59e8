/* mb_capacity.c: how much faster this machine runs N copies of a computation than one, the
 * yardstick a measured speedup is judged against.  "2 cores" can compute together anywhere
 * from 1x to 2x one core: two virtual CPUs that are SMT siblings of one physical core share its
 * execution units and caches (about 1.2-1.3x on loops like the samples'), a cgroup CPU quota of
 * 1.25 cores gives 1.25x, an idle dedicated pair gives 2x.  The reference computation is what
 * the measured loops do: a 3x3 box blur over a byte image and a small double-precision matrix
 * product, on private buffers of about 180 KB per worker (L2-sized), so that it competes for
 * what SMT siblings share, as they would.  A quota is read as well, since a probe of a fraction
 * of a second can fall inside one quota period and miss it.  Runs in the calling process (a
 * pthread per worker), never the user's code. */
#define _GNU_SOURCE
#include "mb_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMG 256     /* blur: IMG x IMG bytes */
#define MAT 48      /* matrix product: MAT x MAT doubles */
#define ROUNDS 3    /* (one worker, N workers) pairs; the median ratio is taken */
#define ROUND_SECONDS 0.06 /* serial work per round */

struct work {
    unsigned char src[IMG * IMG], dst[IMG * IMG];
    double a[MAT * MAT], b[MAT * MAT], c[MAT * MAT];
    long units;           /* units to compute */
    double start, end;    /* CLOCK_MONOTONIC seconds around them */
    unsigned sink;        /* keeps the results alive */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void work_init(struct work *w)
{
    for (size_t i = 0; i < sizeof w->src; i++) w->src[i] = (unsigned char)(i * 131u >> 3);
    for (size_t i = 0; i < MAT * MAT; i++) {
        w->a[i] = (double)(i % 7);
        w->b[i] = (double)(i % 5);
    }
}

/* One unit: a blur pass and a matrix product.  About 0.1-0.3 ms on a current core. */
static void unit(struct work *w)
{
    for (int y = 1; y < IMG - 1; y++)
        for (int x = 1; x < IMG - 1; x++) {
            const unsigned char *s = w->src + y * IMG + x;
            unsigned sum = s[-IMG - 1] + s[-IMG] + s[-IMG + 1] + s[-1] + s[0] + s[1] + s[IMG - 1] + s[IMG] +
                           s[IMG + 1];
            w->dst[y * IMG + x] = (unsigned char)((sum + 4) / 9);
        }
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            double acc = 0;
            for (int k = 0; k < MAT; k++) acc += w->a[i * MAT + k] * w->b[k * MAT + j];
            w->c[i * MAT + j] = acc;
        }
    w->sink += w->dst[IMG * IMG / 2] + (unsigned)w->c[MAT * MAT / 2];
    w->src[w->sink % (IMG * IMG)] ^= 1; /* the next unit depends on this one */
}

static void *worker(void *arg)
{
    struct work *w = arg;
    w->start = mono();
    for (long i = 0; i < w->units; i++) unit(w);
    w->end = mono();
    return NULL;
}

/* Wall seconds from the first worker's start to the last one's end, n workers computing
 * `units` each at once (thread start-up skew, tens of microseconds, is in it); NaN when a
 * thread cannot start. */
static double run(struct work *ws, unsigned n, long units)
{
    pthread_t tid[MB_MAX_WORKERS];
    unsigned started = 0;
    double first, last;

    for (unsigned i = 0; i < n; i++) ws[i].units = units;
    for (; started + 1 < n; started++)
        if (pthread_create(&tid[started], NULL, worker, &ws[started + 1]) != 0) break;
    worker(&ws[0]);
    for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
    if (started + 1 < n) return NAN;
    first = ws[0].start;
    last = ws[0].end;
    for (unsigned i = 1; i < n; i++) {
        if (ws[i].start < first) first = ws[i].start;
        if (ws[i].end > last) last = ws[i].end;
    }
    return last - first;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double mb_parallel_capacity(unsigned workers)
{
    struct work *ws;
    double ratio[ROUNDS], t, quota = mb_cpu_quota(), cap;
    long units = 1;
    unsigned got = 0;

    if (workers < 2 || workers > MB_MAX_WORKERS) return NAN;
    ws = ca_calloc(workers, sizeof *ws);
    if (!ws) return NAN;
    for (unsigned i = 0; i < workers; i++) work_init(&ws[i]);
    /* Calibrate: double the units until one worker takes a tenth of a round. */
    for (;;) {
        ws[0].units = units;
        worker(&ws[0]);
        t = ws[0].end - ws[0].start;
        if (t >= ROUND_SECONDS / 10 || units > (1L << 30)) break;
        units *= 2;
    }
    units = t > 0 ? (long)((double)units * ROUND_SECONDS / t) + 1 : units;
    for (int r = 0; r < ROUNDS; r++) {
        double one, all;
        ws[0].units = units;
        worker(&ws[0]);
        one = ws[0].end - ws[0].start;
        all = run(ws, workers, units);
        if (isnan(all) || all <= 0 || one <= 0) continue;
        ratio[got++] = (double)workers * one / all;
    }
    ca_free(ws);
    if (got == 0) return NAN;
    qsort(ratio, got, sizeof *ratio, cmp_double);
    cap = got % 2 ? ratio[got / 2] : (ratio[got / 2 - 1] + ratio[got / 2]) / 2;
    if (!isnan(quota) && quota < cap) cap = quota;
    return cap;
}
