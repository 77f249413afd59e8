/* mb_machine.c: how many cores a benchmark may use, and how busy the machine was: the load
 * average and CPU pressure (/proc/pressure/cpu) before and after, and, over the measured run,
 * the CPU time of everybody else (/proc/stat ticks of our CPUs minus our own children's CPU
 * time) and the share of time some task waited for a CPU.  Linux only; each probe that is
 * missing leaves NaN and the judgement does without it.  It does not decide verdicts. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "mb_int.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MASK_WORDS 16 /* 1024 CPUs */

/* Not inlined: GCC 12 at -O3 then takes the address of `text` handed to ca_file_read for a
 * pointer that outlives it (-Wdangling-pointer false positive in mb_snap_take). */
__attribute__((noinline)) static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len;
    if (ca_file_read(path, &text, &len) != CA_OK) return NULL;
    return text;
}

/* The quota of one cgroup directory in cores: v2 "cpu.max" ("max 100000" or "150000 100000"),
 * or v1 "cpu.cfs_quota_us" (-1: none) over "cpu.cfs_period_us"; NaN when there is none. */
static double quota_at(const char *dir)
{
    char path[PATH_MAX];
    char *t, *q, *p;
    long long quota = -1, period = 0;
    if (snprintf(path, sizeof path, "%s/cpu.max", dir) >= (int)sizeof path) return NAN;
    if ((t = slurp(path)) != NULL) {
        if (sscanf(t, "%lld %lld", &quota, &period) != 2) quota = -1;
        ca_free(t);
    } else {
        q = snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir) < (int)sizeof path ? slurp(path) : NULL;
        p = snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir) < (int)sizeof path ? slurp(path) : NULL;
        if (q && p) {
            quota = atoll(q);
            period = atoll(p);
        }
        ca_free(q);
        ca_free(p);
    }
    return quota > 0 && period > 0 ? (double)quota / (double)period : NAN;
}

static double least(double a, double b) { return isnan(a) || b < a ? b : a; }

/* The smallest quota on the way from base/rel up to base: a parent's quota binds its children. */
static double quota_up(const char *base, const char *rel, size_t nrel)
{
    char dir[PATH_MAX];
    double q = NAN;
    for (;;) {
        if (snprintf(dir, sizeof dir, "%s%.*s", base, (int)nrel, rel) < (int)sizeof dir) q = least(q, quota_at(dir));
        while (nrel > 0 && rel[nrel - 1] != '/') nrel--;
        if (nrel == 0) break;
        nrel--; /* drop the slash */
    }
    return q;
}

double mb_cpu_quota_in(const char *root, const char *self_cgroup)
{
    double q = NAN;
    for (const char *l = self_cgroup; l && *l;) {
        const char *e = strchr(l, '\n'), *c1 = memchr(l, ':', e ? (size_t)(e - l) : strlen(l)), *c2, *path;
        size_t n = e ? (size_t)(e - l) : strlen(l);
        char base[PATH_MAX];
        c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l)) : NULL;
        if (c2) {
            size_t nctl = (size_t)(c2 - c1 - 1), npath;
            path = c2 + 1;
            npath = n - (size_t)(path - l);
            if (npath > 0 && path[npath - 1] == '/') npath--; /* "0::/" is the root itself */
            if (nctl == 0) { /* v2; on a hybrid host it is mounted at unified/ */
                q = least(q, quota_up(root, path, npath));
                if (snprintf(base, sizeof base, "%s/unified", root) < (int)sizeof base)
                    q = least(q, quota_up(base, path, npath));
            } else {
                /* v1: a hierarchy whose controllers include "cpu", mounted by their names */
                for (const char *w = c1 + 1; w < c2;) {
                    const char *comma = memchr(w, ',', (size_t)(c2 - w)), *we = comma ? comma : c2;
                    if (we - w == 3 && memcmp(w, "cpu", 3) == 0) {
                        if (snprintf(base, sizeof base, "%s/%.*s", root, (int)nctl, c1 + 1) < (int)sizeof base)
                            q = least(q, quota_up(base, path, npath));
                        if (snprintf(base, sizeof base, "%s/cpu", root) < (int)sizeof base)
                            q = least(q, quota_up(base, path, npath));
                        break;
                    }
                    w = we + 1;
                }
            }
        }
        l = e ? e + 1 : NULL;
    }
    return q;
}

double mb_cpu_quota(void)
{
    char *self = slurp("/proc/self/cgroup");
    double q = mb_cpu_quota_in("/sys/fs/cgroup", self ? self : "0::/\n");
    ca_free(self);
    return q;
}

static size_t affinity_mask(unsigned long long *mask, size_t nmask)
{
    cpu_set_t set;
    size_t n = 0;
    memset(mask, 0, nmask * sizeof *mask);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    for (size_t cpu = 0; cpu < CPU_SETSIZE && cpu < nmask * 64; cpu++)
        if (CPU_ISSET(cpu, &set)) {
            mask[cpu / 64] |= 1ull << (cpu % 64);
            n++;
        }
    return n;
}

unsigned mb_cores(unsigned *online)
{
    unsigned long long mask[MASK_WORDS];
    long on = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = (unsigned)affinity_mask(mask, MASK_WORDS);
    double quota = ceil(mb_cpu_quota()); /* 1.5 cores of quota: two workers can run */
    if (online) *online = on > 0 ? (unsigned)on : 0;
    if (n == 0) n = on > 0 ? (unsigned)on : 1;
    if (quota >= 1 && quota < (double)n) n = (unsigned)quota;
    return n;
}

double mb_loadavg(void)
{
    char *t = slurp("/proc/loadavg");
    double v = NAN;
    if (t && sscanf(t, "%lf", &v) != 1) v = NAN;
    ca_free(t);
    return v;
}

bool mb_psi_parse(const char *text, double *avg10, unsigned long long *total)
{
    const char *p = text ? strstr(text, "some ") : NULL;
    if (!p || (p != text && p[-1] != '\n')) return false;
    return sscanf(p, "some avg10=%lf avg60=%*f avg300=%*f total=%llu", avg10, total) == 2;
}

bool mb_stat_parse(const char *text, const unsigned long long *mask, size_t nmask, unsigned long long *busy,
                   unsigned long long *total)
{
    const char *p = text;
    bool any = false;
    *busy = *total = 0;
    while (p && *p) {
        unsigned cpu;
        unsigned long long v[8] = {0};
        /* per-CPU lines only ("cpu0 ..."); the aggregate "cpu  ..." line counts every CPU */
        if (strncmp(p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9' &&
            sscanf(p + 3, "%u %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7]) >= 8 &&
            cpu / 64 < nmask && (mask[cpu / 64] >> (cpu % 64) & 1)) {
            /* user nice system idle iowait irq softirq steal: steal is time the hypervisor
             * gave to someone else, so it is busy for us */
            unsigned long long b = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
            *busy += b;
            *total += b + v[3] + v[4];
            any = true;
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
    return any;
}

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6; }

void mb_snap_take(struct mb_snap *s)
{
    unsigned long long mask[MASK_WORDS];
    struct timespec ts;
    struct rusage ru;
    char *t;
    memset(s, 0, sizeof *s);
    s->psi_avg10 = NAN;
    if (affinity_mask(mask, MASK_WORDS) > 0 && (t = slurp("/proc/stat")) != NULL) {
        s->stat_ok = mb_stat_parse(t, mask, MASK_WORDS, &s->busy, &s->total);
        ca_free(t);
    }
    if ((t = slurp("/proc/pressure/cpu")) != NULL) {
        s->psi_ok = mb_psi_parse(t, &s->psi_avg10, &s->psi_total);
        ca_free(t);
    }
    if (getrusage(RUSAGE_SELF, &ru) == 0) s->self_cpu = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->t = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void mb_snap_diff(const struct mb_snap *a, const struct mb_snap *b, double child_cpu, struct ca_bench_machine *m)
{
    double wall = b->t - a->t;
    long hz = sysconf(_SC_CLK_TCK);
    m->psi_during = NAN;
    m->other_cores = NAN;
    if (wall <= 0) return;
    if (a->psi_ok && b->psi_ok && b->psi_total >= a->psi_total)
        m->psi_during = (double)(b->psi_total - a->psi_total) / (wall * 1e6) * 100.0;
    if (a->stat_ok && b->stat_ok && hz > 0 && b->busy >= a->busy) {
        double busy = (double)(b->busy - a->busy) / (double)hz;
        double own = child_cpu + (b->self_cpu - a->self_cpu);
        double other = (busy - own) / wall;
        /* Ticks are sampled (1/HZ) while our own CPU time is exact: a few ticks of
         * disagreement are noise, not somebody else. */
        m->other_cores = other > 0 ? other : 0;
    }
}

static void add_reason(struct ca_buf *b, const char *fmt, ...) CA_PRINTF(2, 3);
static void add_reason(struct ca_buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->len) ca_buf_puts(b, "; ");
    va_start(ap, fmt);
    ca_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void mb_machine_judge(struct ca_bench_machine *m, struct ca_arena *arena)
{
    struct ca_buf b;
    ca_buf_init(&b);
    /* The load average lags (1-minute average) and counts waiting tasks, not CPU use: a
     * coarse check before the run.  cores - 0.5: less than half a core is free. */
    /* It lags by a minute (right after a build it still counts the compilers): only a fallback
     * for when the run could not be watched directly (no /proc/stat, no PSI). */
    if (!isnan(m->load_before) && m->load_before > (double)m->cores - CA_BENCH_BUSY_SLACK && isnan(m->other_cores) &&
        isnan(m->psi_during))
        add_reason(&b, "load average %.2f before the run on %u cores", m->load_before, m->cores);
    if (!isnan(m->psi_before) && m->psi_before > CA_BENCH_BUSY_PSI)
        add_reason(&b, "CPU pressure %.0f%% before the run (tasks waited for a CPU)", m->psi_before);
    /* During the run: our own workers never exceed the cores, so waiting for a CPU means
     * somebody else wants them too. */
    if (!isnan(m->psi_during) && m->psi_during > CA_BENCH_BUSY_PSI)
        add_reason(&b, "CPU pressure %.0f%% during the run", m->psi_during);
    /* The sharpest probe: CPU time others used during the run.  A share f of the cores taken
     * turns an ideal N-fold speedup into about N(1-f) on a full machine: above 15% a real 2x
     * on two cores can fall under the 1.5x threshold. */
    if (!isnan(m->other_cores) && m->other_cores > CA_BENCH_BUSY_OTHER * (double)m->cores)
        add_reason(&b, "other processes used %.2f of %u cores during the run", m->other_cores, m->cores);
    /* The capacity the thresholds use: the lesser probe.  (A drift between the two is judged
     * with the call, in mb_verdict.c: it matters to a call that computes.) */
    bool before = m->capacity_before > 0, after = m->capacity_after > 0; /* false for NaN */
    m->capacity = before && after ? fmin(m->capacity_before, m->capacity_after)
                  : before        ? m->capacity_before
                  : after         ? m->capacity_after
                                  : NAN;
    m->busy = b.len > 0;
    m->busy_reason = NULL;
    if (m->busy) m->busy_reason = b.failed ? "busy machine" : ca_arena_strdup(arena, b.data);
    ca_buf_fini(&b);
}
