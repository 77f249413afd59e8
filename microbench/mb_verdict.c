/* mb_verdict.c: from timings to a verdict (threading, multiprocessing, tie, inconclusive) and
 * from a verdict to confirms / contradicts / inconclusive against the static recommendation.
 * Pure: it reads a result's samples and machine fields and writes its judgement fields.  The
 * thresholds are in microbench.h and their reasoning in docs/bench.md; the rule of thumb is
 * that an inconclusive verdict is cheaper than a wrong one. */
#include "mb_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ORDER REC */
static const char *const rec_names[] = {NULL, "threading", "multiprocessing", "release-gil", "none"};
/* ORDER VERDICT */
static const char *const verdict_names[] = {"threading", "multiprocessing", "tie", "inconclusive", "failed"};
/* ORDER AGREEMENT */
static const char *const agreement_names[] = {"not-asked", "confirms", "contradicts", "inconclusive"};
/* ORDER FAILURE */
static const char *const failure_names[] = {"none", "build", "start", "exception", "crash", "timeout", "cancelled"};
/* ORDER CAUSE */
static const char *const cause_names[] = {NULL, "one-worker", "one-core", "busy-machine", "no-timings",
                                          "low-capacity", "not-scaling", "spreads-overlap", "between-thresholds",
                                          "partly-serialised"};
/* ORDER KIND */
static const char *const kind_names[] = {"python-extension", "python-module", "c"};

#define NAME(tab, v) ((unsigned)(v) < sizeof tab / sizeof tab[0] ? tab[v] : "?")
const char *ca_bench_rec_str(enum ca_bench_rec v) { return (unsigned)v < 5 ? rec_names[v] : NULL; }
const char *ca_bench_verdict_str(enum ca_bench_verdict v) { return NAME(verdict_names, v); }
const char *ca_bench_agreement_str(enum ca_bench_agreement v) { return NAME(agreement_names, v); }
const char *ca_bench_failure_str(enum ca_bench_failure v) { return NAME(failure_names, v); }
const char *ca_bench_kind_str(enum ca_bench_kind v) { return NAME(kind_names, v); }
const char *ca_bench_cause_str(enum ca_bench_cause v) { return v == CA_BENCH_C_NONE ? NULL : NAME(cause_names, v); }

bool ca_bench_rec_parse(const char *s, enum ca_bench_rec *out)
{
    for (int i = 1; i < 5; i++)
        if (s && strcmp(s, rec_names[i]) == 0) {
            *out = (enum ca_bench_rec)i;
            return true;
        }
    return false;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct ca_bench_stats mb_stats(const double *v, size_t n)
{
    struct ca_bench_stats s = {NAN, NAN, NAN};
    double sorted[MB_MAX_REPEAT];
    if (n == 0 || n > MB_MAX_REPEAT) return s;
    memcpy(sorted, v, n * sizeof *v);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    s.min = sorted[0];
    s.max = sorted[n - 1];
    s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return s;
}

/* Is `fast` really faster than `slow`?  Only when even its slowest run beats the other's
 * fastest (the spreads do not overlap) and the medians are CA_BENCH_MARGIN apart. */
static bool apart(struct ca_bench_stats fast, struct ca_bench_stats slow)
{
    return fast.max < slow.min && slow.median >= CA_BENCH_MARGIN * fast.median;
}

static const char *say(struct ca_arena *a, const char *fmt, ...) CA_PRINTF(2, 3);
static const char *say(struct ca_arena *a, const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    const char *s;
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    s = b.failed ? NULL : ca_arena_strdup(a, b.data);
    ca_buf_fini(&b);
    return s ? s : "(out of memory)";
}

static void inconclusive(struct ca_bench_result *r, enum ca_bench_cause cause, const char *reason)
{
    r->verdict = CA_BENCH_V_INCONCLUSIVE;
    r->cause = cause;
    r->verdict_reason = reason;
}

/* Does one call compute (1), wait (0), or is it unknown (-1)?  CPU time against wall time. */
static int computes(const struct ca_bench_result *r)
{
    if (!(r->call_wall > 0) || isnan(r->call_cpu)) return -1;
    return r->call_cpu / r->call_wall >= 0.5;
}

/* The thresholds were set for a machine whose two cores compute twice as fast as one: a gain
 * of 1 over serial.  A machine that computes only 1.25x as fast (SMT siblings, a quota) can
 * show a gain of 0.25 at most, and the thresholds shrink with it; a call that waits overlaps
 * its waits whatever the cores can compute, and keeps them. */
static double gain(const struct ca_bench_result *r)
{
    double c = r->machine.capacity;
    if (isnan(c) || computes(r) == 0 || c >= 2) return 1.0;
    return c > 1 ? c - 1 : 0;
}

static void decide(struct ca_bench_result *r)
{
    struct ca_bench_stats S = r->s_serial, T = r->s_threads, P = r->s_procs;
    double st = r->speedup_threads, sp = r->speedup_procs, cap = r->machine.capacity, g, win, flat;
    struct ca_arena *a = &r->arena;

    r->cause = CA_BENCH_C_NONE;
    r->verdict = CA_BENCH_V_INCONCLUSIVE;
    if (r->workers < 2) {
        inconclusive(r, CA_BENCH_C_ONE_WORKER, "one worker: nothing runs in parallel");
        return;
    }
    if (r->machine.cores < 2) {
        inconclusive(r, CA_BENCH_C_ONE_CORE,
                     say(a, "%u usable core: threads and processes cannot run in parallel here", r->machine.cores));
        return;
    }
    if (r->machine.busy) {
        inconclusive(r, CA_BENCH_C_BUSY,
                     say(a, "busy machine: %s; timings taken while others compete for the cores understate speedups",
                         r->machine.busy_reason ? r->machine.busy_reason : "busy"));
        return;
    }
    if (isnan(st) || isnan(sp)) {
        inconclusive(r, CA_BENCH_C_NO_TIMINGS, "no usable timings");
        return;
    }
    /* Other guests of the host do not show in /proc/stat (no steal on some hypervisors): a
     * capacity that moved between just before and just after the runs is the sign.  It skews
     * what a computing call measures; a call that waits overlaps its waits all the same. */
    if (computes(r) != 0 && r->machine.capacity_before > 0 && r->machine.capacity_after > 0 &&
        fmax(r->machine.capacity_before, r->machine.capacity_after) > CA_BENCH_CAPACITY_DRIFT * cap) {
        inconclusive(r, CA_BENCH_C_BUSY,
                     say(a, "busy machine: the parallel capacity changed during the run (%.2fx before, %.2fx after): "
                            "the host shared the cores, and a call that computes measured part of the time on fewer",
                         r->machine.capacity_before, r->machine.capacity_after));
        return;
    }
    if (computes(r) != 0 && !isnan(cap) && cap < CA_BENCH_MIN_CAPACITY) {
        inconclusive(r, CA_BENCH_C_LOW_CAPACITY,
                     say(a, "this machine computes with %u workers only %.2fx as fast as with one (SMT siblings of "
                            "one core, a CPU quota or a shared host): a computing call cannot show a speedup here",
                         r->workers, cap));
        return;
    }
    g = gain(r);
    r->win = win = 1 + (CA_BENCH_WIN - 1) * g;
    r->flat = flat = fmax(1 + (CA_BENCH_FLAT - 1) * g, CA_BENCH_FLAT_MIN);
    if (st >= win) {
        if (!(T.max < S.min)) {
            inconclusive(r, CA_BENCH_C_SPREADS,
                         say(a, "threads %.2fx, but their slowest run (%.4f s) is not faster than the fastest serial "
                                "run (%.4f s): the spreads overlap", st, T.max, S.min));
            return;
        }
        if (apart(P, T)) {
            inconclusive(r, CA_BENCH_C_SERIALISED,
                         say(a, "threads help (%.2fx) but processes clearly more (%.2fx): part of the call is "
                                "serialised in threads", st, sp));
            return;
        }
        r->verdict = CA_BENCH_V_THREADING;
        r->verdict_reason = say(a, "threads %.2fx, processes %.2fx: threads scale (%.2fx or more) and are not beaten "
                                   "by processes; they need no start-up or copying", st, sp, win);
        return;
    }
    if (sp >= win && st < flat) {
        if (!(P.max < S.min) || !apart(P, T)) {
            inconclusive(r, CA_BENCH_C_SPREADS,
                         say(a, "processes %.2fx, threads %.2fx, but the spreads overlap (processes %.4f..%.4f s, "
                                "threads %.4f..%.4f s, serial %.4f..%.4f s)", sp, st, P.min, P.max, T.min, T.max,
                             S.min, S.max));
            return;
        }
        r->verdict = CA_BENCH_V_MULTIPROCESSING;
        r->verdict_reason = say(a, "processes %.2fx, threads %.2fx: only processes scale, threads are serialised "
                                   "(by the GIL or a lock)", sp, st);
        return;
    }
    if (sp < win && computes(r) == 1) {
        /* Processes share nothing: a call that computes scales with them unless something the
         * cores share limits it (memory bandwidth, caches) or the cores were not really free.
         * Threads cannot be judged against that, and a tie cannot be told from it. */
        if (isnan(cap))
            inconclusive(r, CA_BENCH_C_NOT_SCALING,
                         say(a, "processes do not scale a call that computes (%.2fx, threads %.2fx): the machine did "
                                "not run the workers in parallel (shared or throttled cores), or the call is limited "
                                "by what the cores share", sp, st));
        else
            inconclusive(r, CA_BENCH_C_NOT_SCALING,
                         say(a, "processes do not scale a call that computes (%.2fx, threads %.2fx, where the "
                                "machine computes %.2fx as fast with %u workers): the call is limited by what the "
                                "cores share (memory bandwidth, caches), or they were not free during the run",
                             sp, st, cap, r->workers));
        return;
    }
    if (st < flat && sp < flat) {
        r->verdict = CA_BENCH_V_TIE;
        r->verdict_reason = say(a, "neither threads (%.2fx) nor processes (%.2fx) reach %.2fx: parallel execution "
                                   "does not pay for this call", st, sp, flat);
        return;
    }
    inconclusive(r, CA_BENCH_C_BETWEEN,
                 say(a, "between the thresholds: threads %.2fx, processes %.2fx (a winner needs %.2fx while the "
                        "other stays under %.2fx)", st, sp, win, flat));
}

/* What the GIL probe adds to a release-gil judgement, or "". */
static const char *probe_note(struct ca_bench_result *r)
{
    if (isnan(r->gil_share)) return "";
    if (r->gil_share < CA_BENCH_GIL_HELD)
        return say(&r->arena, "; the GIL probe agrees: a Python thread ran at %.0f%% of its idle speed during a call",
                   100 * r->gil_share);
    if (r->gil_share > CA_BENCH_GIL_FREE)
        return say(&r->arena, "; but the GIL probe saw a Python thread run at %.0f%% of its idle speed during a call",
                   100 * r->gil_share);
    return "";
}

static void agree(struct ca_bench_result *r)
{
    enum ca_bench_verdict v = r->verdict;
    double st = r->speedup_threads, sp = r->speedup_procs;
    struct ca_arena *a = &r->arena;
    const char *rec = ca_bench_rec_str(r->expect);

    r->agreement_reason = NULL;
    if (r->expect == CA_BENCH_REC_UNSET) {
        r->agreement = CA_BENCH_A_NOT_ASKED;
        return;
    }
    if (v == CA_BENCH_V_FAILED || v == CA_BENCH_V_INCONCLUSIVE) {
        r->agreement = CA_BENCH_A_INCONCLUSIVE;
        r->agreement_reason = say(a, "cannot confirm %s: %s", rec,
                                  v == CA_BENCH_V_FAILED ? "nothing was measured" : "the measurement is inconclusive");
        return;
    }
    r->agreement = CA_BENCH_A_CONTRADICTS;
    switch (r->expect) {
    case CA_BENCH_REC_THREADING:
        if (v == CA_BENCH_V_THREADING) {
            r->agreement = CA_BENCH_A_CONFIRMS;
            r->agreement_reason = say(a, "threads scale (%.2fx) as predicted", st);
        } else if (v == CA_BENCH_V_MULTIPROCESSING) {
            r->agreement_reason = say(a, "only processes scale (%.2fx against %.2fx for threads): something serialises "
                                         "threads (the GIL held, a lock)", sp, st);
        } else {
            r->agreement_reason = say(a, "neither threads (%.2fx) nor processes (%.2fx) scale", st, sp);
        }
        break;
    case CA_BENCH_REC_MULTIPROCESSING:
        if (v == CA_BENCH_V_MULTIPROCESSING) {
            r->agreement = CA_BENCH_A_CONFIRMS;
            r->agreement_reason = say(a, "threads do not scale (%.2fx), processes do (%.2fx), as predicted", st, sp);
        } else if (v == CA_BENCH_V_THREADING) {
            r->agreement_reason = say(a, "threads scale already (%.2fx): processes are not needed", st);
        } else {
            r->agreement_reason = say(a, "neither threads (%.2fx) nor processes (%.2fx) scale", st, sp);
        }
        break;
    case CA_BENCH_REC_RELEASE_GIL:
        if (v == CA_BENCH_V_MULTIPROCESSING) {
            r->agreement = CA_BENCH_A_CONFIRMS;
            r->agreement_reason = say(a, "the call holds the GIL now (threads %.2fx, processes %.2fx); released around "
                                         "the loop, threads should reach the processes' speedup without their start-up "
                                         "(%.3f s) and copying%s", st, sp, r->proc_startup, probe_note(r));
        } else if (v == CA_BENCH_V_THREADING) {
            r->agreement_reason = say(a, "threads scale already (%.2fx): the GIL is not held while the work runs", st);
        } else {
            r->agreement_reason = say(a, "neither threads (%.2fx) nor processes (%.2fx) scale: the GIL is not what "
                                         "limits this call", st, sp);
        }
        break;
    case CA_BENCH_REC_NONE:
        if (v == CA_BENCH_V_TIE) {
            r->agreement = CA_BENCH_A_CONFIRMS;
            r->agreement_reason = "parallel execution does not pay for this call, as predicted";
        } else {
            r->agreement_reason = say(a, "%s scale (%.2fx): parallel execution pays for this call at this size",
                                      v == CA_BENCH_V_THREADING ? "threads" : "processes",
                                      v == CA_BENCH_V_THREADING ? st : sp);
        }
        break;
    case CA_BENCH_REC_UNSET:
        break;
    }
}

void mb_judge(struct ca_bench_result *r)
{
    r->s_serial = mb_stats(r->serial, r->nrep);
    r->s_threads = mb_stats(r->threads, r->nrep);
    r->s_procs = mb_stats(r->procs, r->nrep);
    r->speedup_threads = r->s_threads.median > 0 ? r->s_serial.median / r->s_threads.median : NAN;
    r->speedup_procs = r->s_procs.median > 0 ? r->s_serial.median / r->s_procs.median : NAN;
    r->cause = CA_BENCH_C_NONE;
    r->win = r->flat = NAN;
    if (r->failure != CA_BENCH_F_NONE) {
        r->verdict = CA_BENCH_V_FAILED;
        r->verdict_reason = say(&r->arena, "not measured: %s", ca_bench_failure_str(r->failure));
    } else if (r->nrep == 0) {
        inconclusive(r, CA_BENCH_C_NO_TIMINGS, "no timings");
    } else {
        decide(r);
    }
    agree(r);
}
