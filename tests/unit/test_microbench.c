/* test_microbench.c: the parts of `concadvise bench` that can be tested without timing anything:
 * statistics, verdicts and agreement on synthetic numbers, the busy-machine judgement and the
 * /proc parsers, options, case files, the result protocol, module-name detection, the
 * generated harness (built and run for real: main renamed, threads and forks), and the child
 * runner (time limit kills the whole process group, crashes and exec failures are results). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mb_int.h"
#include "testutil.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A result with five runs per mode around the given medians (+-1%), an idle two-core machine. */
static void fake(struct ca_bench_result *r, double s, double t, double p, enum ca_bench_rec expect)
{
    static const double wobble[5] = {1.00, 0.99, 1.01, 0.995, 1.005};
    ca_bench_result_init(r);
    r->serial = ca_arena_alloc(&r->arena, 5 * sizeof(double));
    r->threads = ca_arena_alloc(&r->arena, 5 * sizeof(double));
    r->procs = ca_arena_alloc(&r->arena, 5 * sizeof(double));
    assert_non_null(r->procs);
    for (int i = 0; i < 5; i++) {
        r->serial[i] = s * wobble[i];
        r->threads[i] = t * wobble[(i + 1) % 5];
        r->procs[i] = p * wobble[(i + 2) % 5];
    }
    r->nrep = 5;
    r->workers = 2;
    r->proc_startup = 0.1;
    r->machine.cores = 2;
    r->machine.load_before = 0.2;
    r->machine.psi_before = 1.0;
    r->machine.psi_during = 2.0;
    r->machine.other_cores = 0.02;
    r->expect = expect;
    mb_machine_judge(&r->machine, &r->arena);
}

/* The same for a call that computes (CPU time = wall time), on a machine of the given parallel
 * capacity, judged. */
static void judged_computing(struct ca_bench_result *r, double s, double t, double p, enum ca_bench_rec expect,
                             double capacity)
{
    fake(r, s, t, p, expect);
    r->call_wall = r->call_cpu = 0.002;
    r->machine.capacity = capacity;
    mb_judge(r);
}

/* ---- statistics */

static void test_stats_are_min_median_max_of_unsorted_runs(void **state)
{
    const double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
    struct ca_bench_stats s = mb_stats(odd, 3);
    assert_true(s.min == 1 && s.median == 2 && s.max == 3);
    s = mb_stats(even, 4);
    assert_true(s.min == 1 && s.median == 2.5 && s.max == 4);
    s = mb_stats(even, 0);
    assert_true(isnan(s.median));
}

/* ---- verdicts on synthetic numbers */

static void test_gil_held_shape_is_multiprocessing_and_confirms_release_gil(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.202, 0.101, CA_BENCH_REC_RELEASE_GIL);
    r.gil_share = 0.01;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_MULTIPROCESSING);
    assert_int_equal(r.agreement, CA_BENCH_A_CONFIRMS);
    assert_non_null(strstr(r.agreement_reason, "holds the GIL"));
    assert_non_null(strstr(r.agreement_reason, "probe agrees"));
    assert_true(fabs(r.speedup_procs - 1.98) < 0.01);
    ca_bench_result_fini(&r);
}

static void test_released_shape_is_threading_and_confirms_threading(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.101, 0.104, CA_BENCH_REC_THREADING);
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    assert_int_equal(r.agreement, CA_BENCH_A_CONFIRMS);
    assert_null(ca_bench_cause_str(r.cause));
    assert_true(r.win == CA_BENCH_WIN && r.flat == CA_BENCH_FLAT); /* capacity unknown: as set */
    ca_bench_result_fini(&r);
}

/* What a CI machine whose two CPUs compute only 1.25x as fast as one measured (SMT siblings or
 * a quota): the blur 1.22x in threads and 1.21x in processes, the GIL-held call 0.83x and
 * 1.51x.  Against fixed 1.5x/1.2x thresholds both blur-like numbers were "between the
 * thresholds"; against the machine's capacity they are the clean shapes they are. */
static void test_thresholds_shrink_with_the_machines_parallel_capacity(void **state)
{
    struct ca_bench_result r;
    judged_computing(&r, 0.206, 0.169, 0.170, CA_BENCH_REC_THREADING, 1.25);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    assert_int_equal(r.agreement, CA_BENCH_A_CONFIRMS);
    assert_true(fabs(r.win - 1.125) < 1e-9 && fabs(r.flat - CA_BENCH_FLAT_MIN) < 1e-9);
    ca_bench_result_fini(&r);
    judged_computing(&r, 0.202, 0.243, 0.134, CA_BENCH_REC_RELEASE_GIL, 1.25);
    assert_int_equal(r.verdict, CA_BENCH_V_MULTIPROCESSING);
    assert_int_equal(r.agreement, CA_BENCH_A_CONFIRMS);
    ca_bench_result_fini(&r);
    /* capacity above two workers' ideal does not raise them */
    judged_computing(&r, 0.200, 0.125, 0.124, CA_BENCH_REC_THREADING, 3.8);
    assert_true(r.win == CA_BENCH_WIN && r.flat == CA_BENCH_FLAT);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    ca_bench_result_fini(&r);
}

static void test_a_call_that_waits_keeps_the_thresholds_whatever_the_capacity(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.214, 0.108, 0.108, CA_BENCH_REC_THREADING);
    r.call_wall = 0.010;
    r.call_cpu = 0.0004; /* it waits on a pipe */
    r.machine.capacity = 1.05; /* a machine that cannot compute in parallel still overlaps waits */
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    assert_true(r.win == CA_BENCH_WIN);
    ca_bench_result_fini(&r);
    /* ... and a waiting call that nothing speeds up is a tie, not a machine problem */
    fake(&r, 0.200, 0.210, 0.195, CA_BENCH_REC_NONE);
    r.call_wall = 0.010;
    r.call_cpu = 0.0004;
    r.machine.capacity = 1.9;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_TIE);
    ca_bench_result_fini(&r);
}

static void test_a_machine_that_cannot_compute_in_parallel_gives_no_verdict_for_computing_calls(void **state)
{
    struct ca_bench_result r;
    judged_computing(&r, 0.200, 0.202, 0.190, CA_BENCH_REC_RELEASE_GIL, 1.08);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_string_equal(ca_bench_cause_str(r.cause), "low-capacity");
    assert_non_null(strstr(r.verdict_reason, "only 1.08x as fast"));
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    ca_bench_result_fini(&r);
    /* just under the minimum: a released call's 1.2x would be a verdict on noise */
    judged_computing(&r, 0.200, 0.167, 0.166, CA_BENCH_REC_THREADING, CA_BENCH_MIN_CAPACITY - 0.01);
    assert_string_equal(ca_bench_cause_str(r.cause), "low-capacity");
    ca_bench_result_fini(&r);
}

/* The machine computes 1.9x as fast with two workers, but processes, which share nothing, gain
 * only 1.21x on this call: it is limited by what the cores share (memory bandwidth), and
 * threads at 1.22x cannot be judged against that. */
static void test_processes_not_scaling_a_computing_call_on_a_capable_machine_is_not_scaling(void **state)
{
    struct ca_bench_result r;
    judged_computing(&r, 0.206, 0.169, 0.170, CA_BENCH_REC_THREADING, 1.9);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_string_equal(ca_bench_cause_str(r.cause), "not-scaling");
    assert_non_null(strstr(r.verdict_reason, "computes 1.90x as fast with 2 workers"));
    ca_bench_result_fini(&r);
}

/* Other guests of a VM host do not show in /proc/stat; a capacity that moved between just
 * before and just after the runs does (this machine: 1.33x before, 2.01x after, while the
 * blur ran at 1.2x).  It makes a computing call's verdict inconclusive (busy); a call that
 * waits is judged all the same.  The capacity used is the lesser probe. */
static void test_a_capacity_that_moves_during_the_run_leaves_computing_calls_unjudged(void **state)
{
    struct ca_bench_result r;
    struct ca_arena a;
    (void)state;
    ca_arena_init(&a);
    fake(&r, 0.200, 0.101, 0.104, CA_BENCH_REC_THREADING);
    r.call_wall = r.call_cpu = 0.002;
    r.machine.capacity_before = 1.9;
    r.machine.capacity_after = 2.0;
    mb_machine_judge(&r.machine, &r.arena);
    assert_true(r.machine.capacity == 1.9);
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    r.machine.capacity_before = 1.33;
    r.machine.capacity_after = 2.01;
    mb_machine_judge(&r.machine, &r.arena);
    assert_false(r.machine.busy);
    assert_true(r.machine.capacity == 1.33);
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_string_equal(ca_bench_cause_str(r.cause), "busy-machine");
    assert_non_null(strstr(r.verdict_reason, "capacity changed during the run (1.33x before, 2.01x after)"));
    r.call_cpu = 0.0001; /* a call that waits */
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_THREADING);
    r.machine.capacity_before = NAN; /* one probe only: that one, no drift to see */
    mb_machine_judge(&r.machine, &r.arena);
    assert_true(r.machine.capacity == 2.01);
    r.machine.capacity_after = 0;
    mb_machine_judge(&r.machine, &r.arena);
    assert_true(isnan(r.machine.capacity));
    ca_bench_result_fini(&r);
    ca_arena_fini(&a);
}

static void put(const char *root, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = 0;
        mkdir(path, 0755);
        *p = '/';
    }
    assert_int_equal(mb_file_write(path, text), CA_OK);
}

/* The quota that binds is the smallest from the process's own cgroup up to the root, in the
 * hierarchy that has the cpu controller: v2, v1 under its controllers' names, hybrid. */
static void test_cpu_quota_is_read_from_the_process_cgroup_and_its_parents(void **state)
{
    char *root = NULL;
    (void)state;
    assert_int_equal(mb_tmpdir_new(&root), CA_OK);
    assert_true(isnan(mb_cpu_quota_in(root, "0::/\n"))); /* no files: no quota */
    put(root, "cpu.max", "max 100000\n");
    put(root, "ci/cpu.max", "150000 100000\n");
    put(root, "ci/job/cpu.max", "max 100000\n");
    assert_true(isnan(mb_cpu_quota_in(root, "0::/\n")));
    assert_true(mb_cpu_quota_in(root, "0::/ci/job\n") == 1.5);    /* the parent's quota binds */
    put(root, "ci/job/cpu.max", "125000 100000\n");
    assert_true(mb_cpu_quota_in(root, "0::/ci/job\n") == 1.25); /* ... unless the child's is smaller */
    /* v1, cpu mounted with cpuacct; the v1 files only */
    put(root, "cpu,cpuacct/box/cpu.cfs_quota_us", "50000\n");
    put(root, "cpu,cpuacct/box/cpu.cfs_period_us", "100000\n");
    put(root, "cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    put(root, "cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    assert_true(mb_cpu_quota_in(root, "4:memory:/box\n3:cpu,cpuacct:/box\n0::/\n") == 0.5);
    assert_true(isnan(mb_cpu_quota_in(root, "4:memory:/box\n3:cpuacct,cpuset:/box\n"))); /* no cpu controller */
    /* hybrid: v2 mounted at unified/ */
    put(root, "unified/svc/cpu.max", "300000 100000\n");
    assert_true(mb_cpu_quota_in(root, "0::/svc\n") == 3);
    assert_int_equal(mb_tmpdir_remove(root), 0);
    ca_free(root);
}

/* A real measurement: no threshold on its value (the machine may be busy), only its range. */
static void test_parallel_capacity_is_measured_for_two_workers_or_more(void **state)
{
    double c = mb_parallel_capacity(2);
    assert_false(isnan(c));
    assert_true(c > 0.2 && c < 2.6);
    assert_true(isnan(mb_parallel_capacity(1)));
    assert_true(isnan(mb_parallel_capacity(0)));
}

static void test_threads_scaling_contradicts_multiprocessing_and_release_gil(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.101, 0.104, CA_BENCH_REC_MULTIPROCESSING);
    mb_judge(&r);
    assert_int_equal(r.agreement, CA_BENCH_A_CONTRADICTS);
    ca_bench_result_fini(&r);
    fake(&r, 0.200, 0.101, 0.104, CA_BENCH_REC_RELEASE_GIL);
    mb_judge(&r);
    assert_int_equal(r.agreement, CA_BENCH_A_CONTRADICTS);
    assert_non_null(strstr(r.agreement_reason, "not held"));
    ca_bench_result_fini(&r);
}

static void test_gil_held_shape_contradicts_threading(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.205, 0.100, CA_BENCH_REC_THREADING);
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_MULTIPROCESSING);
    assert_int_equal(r.agreement, CA_BENCH_A_CONTRADICTS);
    ca_bench_result_fini(&r);
}

static void test_nothing_scaling_is_a_tie_that_confirms_none(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.210, 0.190, CA_BENCH_REC_NONE);
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_TIE);
    assert_int_equal(r.agreement, CA_BENCH_A_CONFIRMS);
    ca_bench_result_fini(&r);
}

static void test_a_computing_call_that_processes_cannot_scale_is_inconclusive_not_a_tie(void **state)
{
    struct ca_bench_result r;
    (void)state;
    fake(&r, 0.200, 0.172, 0.175, CA_BENCH_REC_THREADING); /* 1.16x and 1.14x: cores not really free */
    r.call_wall = 0.002;
    r.call_cpu = 0.0019;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    assert_non_null(strstr(r.verdict_reason, "did not run the workers in parallel"));
    assert_int_equal(r.cause, CA_BENCH_C_NOT_SCALING);
    ca_bench_result_fini(&r);
}

static void test_overlapping_spreads_are_inconclusive(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.120, 0.200, CA_BENCH_REC_THREADING);
    r.threads[3] = 0.190; /* one slow threaded run overlaps the fastest serial run */
    r.serial[1] = 0.180;
    mb_judge(&r);
    assert_true(r.speedup_threads >= CA_BENCH_WIN);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_non_null(strstr(r.verdict_reason, "overlap"));
    assert_string_equal(ca_bench_cause_str(r.cause), "spreads-overlap");
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    ca_bench_result_fini(&r);
    /* the same for processes against threads in the multiprocessing case */
    fake(&r, 0.200, 0.190, 0.100, CA_BENCH_REC_RELEASE_GIL);
    r.procs[0] = 0.192; /* slower than the fastest threaded run (0.188) */
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    ca_bench_result_fini(&r);
}

static void test_speedups_between_thresholds_are_inconclusive(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.150, 0.100, CA_BENCH_REC_RELEASE_GIL); /* threads 1.33x: neither flat nor winning */
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_non_null(strstr(r.verdict_reason, "between the thresholds"));
    assert_string_equal(ca_bench_cause_str(r.cause), "between-thresholds");
    ca_bench_result_fini(&r);
    fake(&r, 0.300, 0.180, 0.100, CA_BENCH_REC_THREADING); /* threads 1.67x, processes clearly 3x */
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_non_null(strstr(r.verdict_reason, "processes clearly more"));
    assert_string_equal(ca_bench_cause_str(r.cause), "partly-serialised");
    ca_bench_result_fini(&r);
}

static void test_busy_machine_makes_clear_numbers_inconclusive(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.202, 0.101, CA_BENCH_REC_RELEASE_GIL);
    r.machine.other_cores = 0.9; /* others took 0.9 of the 2 cores during the run */
    mb_machine_judge(&r.machine, &r.arena);
    mb_judge(&r);
    assert_true(r.machine.busy);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_non_null(strstr(r.verdict_reason, "busy machine"));
    assert_non_null(strstr(r.verdict_reason, "other processes used 0.90 of 2 cores"));
    assert_string_equal(ca_bench_cause_str(r.cause), "busy-machine");
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    ca_bench_result_fini(&r);
}

static void test_each_busy_signal_alone_makes_the_machine_busy(void **state)
{
    struct ca_bench_machine idle = {.cores = 2, .load_before = 1.4, .psi_before = 19, .psi_during = 19,
                                    .other_cores = 0.29};
    struct ca_bench_machine m;
    struct ca_arena a;
    ca_arena_init(&a);
    m = idle;
    mb_machine_judge(&m, &a);
    assert_false(m.busy);
    assert_null(m.busy_reason);
    m = idle, m.psi_before = 21;
    mb_machine_judge(&m, &a);
    assert_true(m.busy);
    m = idle, m.psi_during = 40;
    mb_machine_judge(&m, &a);
    assert_true(m.busy);
    assert_non_null(strstr(m.busy_reason, "during the run"));
    m = idle, m.other_cores = 0.5;
    mb_machine_judge(&m, &a);
    assert_true(m.busy);
    assert_non_null(strstr(m.busy_reason, "other processes used 0.50 of 2 cores"));
    /* The load average lags: with the run watched directly and idle, 1.8 (the build just done)
     * is not busy; without the direct probes it is the only signal, and counts. */
    m = idle, m.load_before = 1.8;
    mb_machine_judge(&m, &a);
    assert_false(m.busy);
    m.psi_during = m.other_cores = NAN;
    mb_machine_judge(&m, &a);
    assert_true(m.busy);
    assert_non_null(strstr(m.busy_reason, "load average 1.80"));
    m = idle, m.load_before = m.psi_before = m.psi_during = m.other_cores = NAN; /* no /proc: not busy */
    mb_machine_judge(&m, &a);
    assert_false(m.busy);
    ca_arena_fini(&a);
}

static void test_one_core_or_one_worker_is_inconclusive(void **state)
{
    struct ca_bench_result r;
    fake(&r, 0.200, 0.202, 0.101, CA_BENCH_REC_UNSET);
    r.machine.cores = 1;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_string_equal(ca_bench_cause_str(r.cause), "one-core");
    assert_int_equal(r.agreement, CA_BENCH_A_NOT_ASKED);
    assert_null(r.agreement_reason);
    ca_bench_result_fini(&r);
    fake(&r, 0.200, 0.202, 0.101, CA_BENCH_REC_UNSET);
    r.workers = 1;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_INCONCLUSIVE);
    assert_string_equal(ca_bench_cause_str(r.cause), "one-worker");
    ca_bench_result_fini(&r);
}

static void test_failure_gives_failed_verdict_and_inconclusive_agreement(void **state)
{
    struct ca_bench_result r;
    ca_bench_result_init(&r);
    r.failure = CA_BENCH_F_CRASH;
    r.failure_message = "killed by signal 11";
    r.expect = CA_BENCH_REC_THREADING;
    mb_judge(&r);
    assert_int_equal(r.verdict, CA_BENCH_V_FAILED);
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    ca_bench_result_fini(&r);
}

/* ---- /proc parsers */

static void test_cpu_pressure_and_stat_lines_parse(void **state)
{
    const char *psi = "some avg10=12.50 avg60=3.00 avg300=1.00 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
    const char *stat = "cpu  100 0 100 1000 0 0 0 0 0 0\n"
                       "cpu0 10 1 20 300 5 2 3 4 0 0\n"
                       "cpu1 50 0 50 500 0 0 0 0 0 0\n"
                       "cpu2 7 0 0 100 0 0 0 0 0 0\n"
                       "intr 1 2 3\n";
    unsigned long long mask[1] = {0x5}, busy, total; /* cpu0 and cpu2 */
    double avg10;
    unsigned long long t;
    assert_true(mb_psi_parse(psi, &avg10, &t));
    assert_true(avg10 == 12.5 && t == 123456);
    assert_false(mb_psi_parse("full avg10=1 avg60=1 avg300=1 total=1\n", &avg10, &t));
    assert_true(mb_stat_parse(stat, mask, 1, &busy, &total));
    assert_int_equal(busy, (10 + 1 + 20 + 2 + 3 + 4) + 7); /* steal counts as busy */
    assert_int_equal(total, busy + 300 + 5 + 100);
    mask[0] = 0x8; /* cpu3: no line */
    assert_false(mb_stat_parse(stat, mask, 1, &busy, &total));
}

static void test_other_processes_cpu_is_busy_ticks_minus_our_own(void **state)
{
    struct mb_snap a, b;
    struct ca_bench_machine m;
    long hz = sysconf(_SC_CLK_TCK);
    memset(&a, 0, sizeof a);
    memset(&m, 0, sizeof m);
    a.stat_ok = a.psi_ok = true;
    b = a;
    b.t = 2.0;                             /* two seconds */
    b.busy = (unsigned long long)(3 * hz); /* three CPU-seconds were busy */
    b.psi_total = 200000;                  /* 0.2 s of stall */
    mb_snap_diff(&a, &b, 2.5, &m);         /* 2.5 of them were ours */
    assert_true(fabs(m.other_cores - 0.25) < 1e-9);
    assert_true(fabs(m.psi_during - 10.0) < 1e-9);
    mb_snap_diff(&a, &b, 4.0, &m); /* more than the ticks say: sampling noise, not negative */
    assert_true(m.other_cores == 0);
}

/* ---- generated text and detection */

static void test_module_name_comes_from_pyinit_outside_comments_and_strings(void **state)
{
    char name[64];
    const char *src = "/* PyInit_wrong(void) in a comment */\n"
                      "// PyInit_alsowrong(\n"
                      "static const char *s = \"PyInit_str(\";\n"
                      "PyMODINIT_FUNC PyInit_spam_fast (void) { return 0; }\n";
    assert_true(mb_module_name(src, "dir/x.c", name, sizeof name));
    assert_string_equal(name, "spam_fast");
    assert_true(mb_module_name("int f(void);", "some/dir/_speedups.c", name, sizeof name));
    assert_string_equal(name, "_speedups");
    assert_true(mb_module_name("", "mod.cpython-311.c", name, sizeof name));
    assert_string_equal(name, "mod");
    assert_false(mb_module_name("", "dir/1bad.c", name, sizeof name));
    assert_false(mb_module_name("PyInit_waytoolongname(void)", "dir/1bad.c", name, 8));
}

static void test_python_sources_are_told_from_plain_c(void **state)
{
    assert_true(mb_is_python_source("#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n"));
    assert_true(mb_is_python_source("  #  include \"Python.h\"\n"));
    assert_false(mb_is_python_source("// #include <Python.h>\n#include <stdio.h>\n"));
    assert_false(mb_is_python_source("const char *s = \"#include <Python.h>\";\n"));
    assert_false(mb_is_python_source("int PyInit(void);\n"));
    assert_true(mb_valid_module("a.b_c.d1"));
    assert_false(mb_valid_module("a..b"));
    assert_false(mb_valid_module("os; import sys"));
}

static void test_harness_includes_the_unit_and_puts_setup_and_call_in_place(void **state)
{
    struct ca_buf b;
    ca_buf_init(&b);
    mb_harness_user_c(&b, "/tmp/we\"ird\\dir/x.c", "int n = 3;", "ca_bench_sink += f(n)");
    assert_false(b.failed);
    assert_non_null(strstr(b.data, "#include \"/tmp/we\\\"ird\\\\dir/x.c\"\n"));
    assert_non_null(strstr(b.data, "-Dmain=" MB_USER_MAIN));
    assert_non_null(strstr(b.data, "#line 1 \"<setup>\"\nint n = 3;\n"));
    assert_non_null(strstr(b.data, "#line 1 \"<call>\"\nca_bench_sink += f(n)\n;"));
    assert_true(strstr(b.data, "<setup>") < strstr(b.data, "ca_bench_ready(ca_bench_arg)"));
    assert_true(strstr(b.data, "ca_bench_ready(ca_bench_arg)") < strstr(b.data, "<call>"));
    assert_int_equal(strncmp(mb_harness_main_c + strcspn(mb_harness_main_c, "#"), "#undef main", 11), 0);
    ca_buf_fini(&b);
}

/* The real thing: a translation unit with its own main() and a static function, built into the
 * harness and run in every mode. */
static void test_harness_builds_a_unit_with_main_and_reaches_its_static_functions(void **state)
{
    char *tu = tu_write_temp("with_main.c", "#include <stdio.h>\n"
                                            "static int twice(int x) { return 2 * x; }\n"
                                            "int main(void) { printf(\"user main\\n\"); return twice(1); }\n");
    struct ca_bench_case c;
    struct ca_bench_result r;
    memset(&c, 0, sizeof c);
    c.source = tu;
    c.setup = "int k = 21;";
    c.call = "ca_bench_sink += twice(k) + (main == 0)";
    c.workers = 2;
    c.calls = 64;
    c.repeat = 2;
    c.timeout = 60;
    ca_bench_result_init(&r);
    assert_int_equal(ca_bench_run(&c, &r), CA_OK);
    if (r.failure_message) fprintf(stderr, "%s\n", r.failure_message);
    assert_int_equal(r.failure, CA_BENCH_F_NONE);
    assert_int_equal(r.kind, CA_BENCH_C);
    assert_int_equal(r.nrep, 2);
    assert_int_equal(r.calls, 64);
    assert_false(r.calibrated);
    assert_true(r.s_serial.min > 0 && r.s_threads.min > 0 && r.s_procs.min > 0);
    assert_true(r.thread_startup >= 0 && r.proc_startup >= 0);
    assert_string_equal(r.start_method, "fork");
    assert_true(isnan(r.gil_share));
    ca_bench_result_fini(&r);
    free(tu);
}

static void test_crash_in_the_measured_code_is_a_result_not_an_error(void **state)
{
    char *tu = tu_write_temp("crash.c", "int boom(volatile int *p) { return *p; }\n");
    struct ca_bench_case c;
    struct ca_bench_result r;
    memset(&c, 0, sizeof c);
    c.source = tu;
    c.call = "ca_bench_sink += boom((volatile int *)0)";
    c.expect = CA_BENCH_REC_THREADING;
    c.timeout = 60;
    ca_bench_result_init(&r);
    assert_int_equal(ca_bench_run(&c, &r), CA_OK);
    assert_int_equal(r.failure, CA_BENCH_F_CRASH);
    assert_non_null(strstr(r.failure_message, "signal 11"));
    assert_non_null(strstr(r.failure_message, "calibrate")); /* the phase it died in */
    assert_int_equal(r.verdict, CA_BENCH_V_FAILED);
    assert_int_equal(r.agreement, CA_BENCH_A_INCONCLUSIVE);
    ca_bench_result_fini(&r);
    free(tu);
}

static void test_build_failure_is_a_result_with_the_compiler_message(void **state)
{
    char *tu = tu_write_temp("broken.c", "int f(void) { return 0; }\n");
    struct ca_bench_case c;
    struct ca_bench_result r;
    memset(&c, 0, sizeof c);
    c.source = tu;
    c.call = "f(undeclared_thing)";
    c.timeout = 60;
    ca_bench_result_init(&r);
    assert_int_equal(ca_bench_run(&c, &r), CA_OK);
    assert_int_equal(r.failure, CA_BENCH_F_BUILD);
    assert_non_null(strstr(r.failure_message, "<call>:1")); /* the error points into the call */
    assert_non_null(strstr(r.failure_message, "undeclared_thing"));
    ca_bench_result_fini(&r);
    free(tu);
}

static void test_python_exception_is_reported_with_its_message(void **state)
{
    struct ca_bench_case c;
    struct ca_bench_result r;
    memset(&c, 0, sizeof c);
    c.module = "math";
    c.call = "m.sqrt(-1)";
    c.timeout = 60;
    ca_bench_result_init(&r);
    assert_int_equal(ca_bench_run(&c, &r), CA_OK);
    assert_int_equal(r.kind, CA_BENCH_PYTHON_MODULE);
    assert_int_equal(r.failure, CA_BENCH_F_EXCEPTION);
    assert_non_null(strstr(r.failure_message, "ValueError: math domain error"));
    ca_bench_result_fini(&r);
}

static void test_missing_interpreter_is_reported_as_start_failure(void **state)
{
    struct ca_bench_case c;
    struct ca_bench_result r;
    memset(&c, 0, sizeof c);
    c.module = "math";
    c.call = "m.sqrt(2)";
    c.python = "/nonexistent/python3";
    ca_bench_result_init(&r);
    assert_int_equal(ca_bench_run(&c, &r), CA_OK);
    assert_int_equal(r.failure, CA_BENCH_F_START);
    assert_non_null(strstr(r.failure_message, "No such file"));
    ca_bench_result_fini(&r);
}

/* ---- the child runner */

static void test_timeout_kills_the_whole_process_group_quickly(void **state)
{
    const char *argv[] = {"sh", "-c", "sleep 300 & sleep 300; echo never", NULL};
    struct mb_child c;
    double t0 = now();
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* as ca_bench_main does: orphans come back to us */
    assert_int_equal(mb_child_run(argv, 0.3, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_TIMEOUT);
    assert_true(now() - t0 < 3.0);
    assert_true(c.pid > 0);
    assert_int_equal(mb_group_count(c.pid), 0); /* the background sleep is gone too */
    assert_true(c.out == NULL || strstr(c.out, "never") == NULL);
    mb_child_fini(&c);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

static void test_timeout_works_without_being_the_reaper(void **state)
{
    const char *argv[] = {"sh", "-c", "sleep 300 & sleep 300", NULL};
    struct mb_child c;
    double t0 = now();
    assert_int_equal(mb_child_run(argv, 0.2, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_TIMEOUT);
    assert_true(now() - t0 < 3.0);
    assert_int_equal(mb_group_count(c.pid), 0);
    mb_child_fini(&c);
}

static void test_what_an_exited_child_leaves_in_its_group_is_killed(void **state)
{
    const char *argv[] = {"sh", "-c", "sleep 300 >/dev/null 2>&1 & exit 0", NULL};
    struct mb_child c;
    double t0 = now();
    assert_int_equal(mb_child_run(argv, 30, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_EXITED);
    assert_int_equal(c.code, 0);
    assert_int_equal(c.stragglers, 1);
    assert_int_equal(mb_group_count(c.pid), 0);
    assert_true(now() - t0 < 3.0);
    mb_child_fini(&c);
}

static void test_child_crash_exit_status_and_output_are_reported(void **state)
{
    const char *crash[] = {"sh", "-c", "kill -SEGV $$", NULL};
    const char *talk[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    const char *missing[] = {"/nonexistent/program", NULL};
    struct mb_child c;
    assert_int_equal(mb_child_run(crash, 30, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_SIGNALED);
    assert_int_equal(c.code, 11);
    mb_child_fini(&c);
    assert_int_equal(mb_child_run(talk, 30, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_EXITED);
    assert_int_equal(c.code, 3);
    assert_string_equal(c.out, "out\n");
    assert_string_equal(c.err, "err\n");
    mb_child_fini(&c);
    assert_int_equal(mb_child_run(missing, 30, &c), CA_OK);
    assert_int_equal(c.how, MB_CHILD_EXEC_FAILED);
    assert_int_equal(c.code, ENOENT);
    mb_child_fini(&c);
}

static void test_cancellation_kills_the_child(void **state)
{
    const char *argv[] = {"sleep", "300", NULL};
    struct mb_child c;
    double t0 = now();
    ca_bench_cancel();
    assert_int_equal(mb_child_run(argv, 30, &c), CA_OK);
    mb_cancelled = 0;
    assert_int_equal(c.how, MB_CHILD_CANCELLED);
    assert_true(now() - t0 < 3.0);
    mb_child_fini(&c);
}

static void test_temporary_directory_is_removed_without_following_links(void **state)
{
    char *dir = NULL, path[512];
    char *outside = tu_write_temp("keep_me.txt", "precious\n");
    struct stat sb;
    FILE *f;
    assert_int_equal(mb_tmpdir_new(&dir), CA_OK);
    assert_non_null(strstr(dir, "concadvise-bench-"));
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sub/file", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/link", dir);
    assert_int_equal(symlink(outside, path), 0);
    assert_int_equal(mb_tmpdir_remove(dir), 0);
    assert_int_not_equal(stat(dir, &sb), 0);
    assert_int_equal(stat(outside, &sb), 0);
    free(dir);
    free(outside);
}

/* ---- options */

static enum mb_parse parse(struct mb_opts *o, char *err, const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    enum mb_parse p;
    argv[argc++] = (char *)"bench";
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    p = mb_opts_parse(argc, argv, o, err, 256);
    return p;
}

static void test_options_fill_the_case_and_misuse_is_a_usage_error(void **state)
{
    struct mb_opts o;
    char err[256];
    assert_int_equal(parse(&o, err, "--source", "x.c", "--call", "f(1)", "--setup", "int a;", "-n", "3", "--calls",
                           "12", "--repeat", "7", "--timeout", "2.5", "--expect", "release-gil", "--cc-arg", "-lm",
                           "--cc-arg", "-DX", "-f", "json", "-o", "out.json", NULL),
                     MB_PARSE_RUN);
    assert_string_equal(o.c.source, "x.c");
    assert_string_equal(o.c.call, "f(1)");
    assert_int_equal(o.c.workers, 3);
    assert_int_equal(o.c.calls, 12);
    assert_int_equal(o.c.repeat, 7);
    assert_true(o.c.timeout == 2.5);
    assert_int_equal(o.c.expect, CA_BENCH_REC_RELEASE_GIL);
    assert_int_equal(o.c.ncc_args, 2);
    assert_string_equal(o.c.cc_args[1], "-DX");
    assert_true(o.json);
    assert_string_equal(o.output, "out.json");
    mb_opts_fini(&o);

    assert_int_equal(parse(&o, err, "--help", NULL), MB_PARSE_HELP);
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--bogus", NULL), MB_PARSE_USAGE);
    assert_non_null(strstr(err, "unknown option '--bogus'"));
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--module", "m", "--call", "m.f()", "--threads", "0", NULL), MB_PARSE_USAGE);
    assert_non_null(strstr(err, "--threads"));
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--module", "m", "--call", "m.f()", "--expect", "fast", NULL), MB_PARSE_USAGE);
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--module", "m", NULL), MB_PARSE_USAGE);
    assert_non_null(strstr(err, "no call"));
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--source", "a.c", "--module", "m", "--call", "x", NULL), MB_PARSE_USAGE);
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--cases", "f.json", "--call", "x", NULL), MB_PARSE_USAGE);
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--module", "m", "--call", "x", "--start-method", "thread", NULL), MB_PARSE_USAGE);
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--module", "m", "--call", "x", "stray", NULL), MB_PARSE_USAGE);
    assert_non_null(strstr(err, "unexpected argument 'stray'"));
    mb_opts_fini(&o);
    assert_int_equal(parse(&o, err, "--cases", "f.json", "--case", "a", "--repeat", "3", NULL), MB_PARSE_RUN);
    assert_int_equal(o.nonly, 1);
    assert_true(o.given_repeat);
    mb_opts_fini(&o);
}

/* ---- case files */

static const char cases_text[] = "{\n"
                                 "  \"comment\": \"x\",\n"
                                 "  \"cases\": [\n"
                                 "    {\"name\": \"a\", \"source\": \"../samples/x.c\", \"call\": \"m.f()\",\n"
                                 "     \"setup\": [\"import os\", \"n = 1\"], \"expect\": \"release-gil\", \"calls\": 8,\n"
                                 "     \"cc_args\": [\"-lm\"]},\n"
                                 "    {\"name\": \"b\", \"module\": \"math\", \"call\": \"m.sqrt(2)\", \"threads\": 4}\n"
                                 "  ]\n"
                                 "}\n";

static void test_case_file_is_read_with_paths_against_its_directory(void **state)
{
    struct ca_bench_cases cs;
    char *msg = NULL;
    ca_bench_cases_init(&cs);
    assert_int_equal(ca_bench_cases_parse("tests/cases.json", cases_text, strlen(cases_text), &cs, &msg), CA_OK);
    assert_int_equal(cs.ncases, 2);
    assert_string_equal(cs.cases[0].source, "samples/x.c"); /* tests/../samples/x.c, tidied */
    assert_string_equal(cs.cases[0].setup, "import os\nn = 1");
    assert_int_equal(cs.cases[0].expect, CA_BENCH_REC_RELEASE_GIL);
    assert_int_equal(cs.cases[0].calls, 8);
    assert_int_equal(cs.cases[0].ncc_args, 1);
    assert_string_equal(cs.cases[1].module, "math");
    assert_int_equal(cs.cases[1].workers, 4);
    ca_bench_cases_fini(&cs);
}

static void test_case_file_errors_name_line_and_column(void **state)
{
    const char *bad_key = "{\"cases\": [\n  {\"module\": \"m\", \"call\": \"x\", \"colour\": 1}\n]}";
    const char *bad_value = "{\"cases\": [\n  {\"module\": \"m\", \"call\": \"x\",\n   \"expect\": \"faster\"}]}";
    const char *no_call = "{\"bench\": [{\"module\": \"m\"}]}";
    struct ca_bench_cases cs;
    char *msg = NULL;
    ca_bench_cases_init(&cs);
    assert_int_equal(ca_bench_cases_parse("c.json", bad_key, strlen(bad_key), &cs, &msg), CA_ERR_CONFIG);
    assert_string_equal(msg, "c.json:2:32: unknown key \"colour\" in a case");
    ca_free(msg);
    ca_bench_cases_fini(&cs);
    ca_bench_cases_init(&cs);
    assert_int_equal(ca_bench_cases_parse("c.json", bad_value, strlen(bad_value), &cs, &msg), CA_ERR_CONFIG);
    assert_non_null(strstr(msg, "c.json:3:14: \"expect\" must be"));
    ca_free(msg);
    ca_bench_cases_fini(&cs);
    ca_bench_cases_init(&cs);
    assert_int_equal(ca_bench_cases_parse("c.json", no_call, strlen(no_call), &cs, &msg), CA_ERR_CONFIG);
    assert_non_null(strstr(msg, "needs \"call\""));
    ca_free(msg);
    ca_bench_cases_fini(&cs);
    ca_bench_cases_init(&cs);
    assert_int_equal(ca_bench_cases_parse("c.json", "{\"cases\": [", 11, &cs, &msg), CA_ERR_PARSE);
    assert_non_null(strstr(msg, "c.json:1:"));
    ca_free(msg);
    ca_bench_cases_fini(&cs);
}

static void test_case_file_parse_survives_every_allocation_failure(void **state)
{
    for (long n = 1; n < 400; n++) {
        struct ca_bench_cases cs;
        char *msg = NULL;
        enum ca_status st;
        ca_bench_cases_init(&cs);
        ca_alloc_fail_after(n);
        st = ca_bench_cases_parse("tests/cases.json", cases_text, strlen(cases_text), &cs, &msg);
        ca_alloc_fail_after(0);
        assert_true(st == CA_OK || st == CA_ERR_NOMEM);
        ca_free(msg);
        ca_bench_cases_fini(&cs);
        if (st == CA_OK) return;
    }
    fail_msg("parse never succeeded");
}

/* ---- the protocol and the reports */

static const char protocol[] =
    "{\"error\": null, \"python\": \"3.11.7\", \"executable\": \"/usr/bin/python3\", \"start_method\": \"fork\","
    " \"workers\": 2, \"calls\": 40, \"calibrated\": true, \"call_wall\": 0.0015, \"call_cpu\": 0.0015,"
    " \"gil_share\": [0.0, 0.02, 0.01], \"serial\": [0.2, 0.21, 0.2], \"threads\": [0.2, 0.2, 0.21],"
    " \"processes\": [0.1, 0.11, 0.1], \"thread_startup\": 0.002, \"process_startup\": 0.09}";

static void test_result_protocol_is_parsed_and_errors_become_failures(void **state)
{
    struct ca_bench_result r;
    char *msg = NULL;
    const char *exc = "{\"error\": {\"kind\": \"exception\", \"message\": \"ZeroDivisionError: division by zero\","
                      " \"traceback\": \"Traceback\\n  File x\\nZeroDivisionError: division by zero\\n\"}}";
    ca_bench_result_init(&r);
    assert_int_equal(mb_result_parse(protocol, strlen(protocol), &r, &msg), CA_OK);
    assert_int_equal(r.nrep, 3);
    assert_int_equal(r.calls, 40);
    assert_true(r.calibrated);
    assert_string_equal(r.start_method, "fork");
    assert_true(fabs(r.gil_share - 0.01) < 1e-12);
    assert_true(r.proc_startup == 0.09);
    ca_bench_result_fini(&r);

    ca_bench_result_init(&r);
    assert_int_equal(mb_result_parse(exc, strlen(exc), &r, &msg), CA_OK);
    assert_int_equal(r.failure, CA_BENCH_F_EXCEPTION);
    assert_non_null(strstr(r.failure_message, "ZeroDivisionError"));
    ca_bench_result_fini(&r);

    ca_bench_result_init(&r);
    assert_int_equal(mb_result_parse("{\"serial\": [1], \"threads\": []}", 30, &r, &msg), CA_ERR_PARSE);
    assert_non_null(strstr(msg, "malformed result"));
    ca_free(msg);
    ca_bench_result_fini(&r);
}

static void test_reports_show_numbers_machine_and_verdict(void **state)
{
    struct ca_bench_result r;
    struct ca_buf b;
    char *msg = NULL;
    cJSON *j;
    ca_bench_result_init(&r);
    assert_int_equal(mb_result_parse(protocol, strlen(protocol), &r, &msg), CA_OK);
    r.name = "held";
    r.call = "m.row_energy(data, 1024)";
    r.kind = CA_BENCH_PYTHON_SOURCE;
    r.machine.cores = 2;
    r.machine.load_before = 0.1;
    r.machine.load_after = 0.5;
    r.machine.psi_before = 1;
    r.machine.psi_during = 2;
    r.machine.other_cores = 0.01;
    r.expect = CA_BENCH_REC_RELEASE_GIL;
    mb_machine_judge(&r.machine, &r.arena);
    mb_judge(&r);
    ca_buf_init(&b);
    ca_bench_result_text(&r, &b);
    assert_non_null(strstr(b.data, "2 usable cores; load average 0.10 before, 0.50 after"));
    assert_non_null(strstr(b.data, "    serial        0.2000    0.2000    0.2100\n"));
    assert_non_null(strstr(b.data, "processes     0.1000    0.1000    0.1100   2.00x"));
    assert_non_null(strstr(b.data, "the call holds the GIL"));
    assert_non_null(strstr(b.data, "verdict: multiprocessing"));
    assert_non_null(strstr(b.data, "expected release-gil: confirms"));
    ca_buf_fini(&b);
    ca_buf_init(&b);
    ca_bench_result_json(&r, &b, 0);
    j = cJSON_Parse(b.data);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "verdict")->valuestring, "multiprocessing");
    assert_string_equal(cJSON_GetObjectItem(j, "agreement")->valuestring, "confirms");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "failure")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "machine"), "cores")->valueint, 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "machine"), "parallel_capacity")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "inconclusive_cause")));
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "thresholds"), "win")->valuedouble == CA_BENCH_WIN);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "seconds"),
                                                                                 "serial"), "runs")), 3);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "temp_dir")) || !cJSON_GetObjectItem(j, "temp_dir"));
    cJSON_Delete(j);
    ca_buf_fini(&b);
    ca_bench_result_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_are_min_median_max_of_unsorted_runs),
        cmocka_unit_test(test_gil_held_shape_is_multiprocessing_and_confirms_release_gil),
        cmocka_unit_test(test_released_shape_is_threading_and_confirms_threading),
        cmocka_unit_test(test_thresholds_shrink_with_the_machines_parallel_capacity),
        cmocka_unit_test(test_a_call_that_waits_keeps_the_thresholds_whatever_the_capacity),
        cmocka_unit_test(test_a_machine_that_cannot_compute_in_parallel_gives_no_verdict_for_computing_calls),
        cmocka_unit_test(test_processes_not_scaling_a_computing_call_on_a_capable_machine_is_not_scaling),
        cmocka_unit_test(test_parallel_capacity_is_measured_for_two_workers_or_more),
        cmocka_unit_test(test_cpu_quota_is_read_from_the_process_cgroup_and_its_parents),
        cmocka_unit_test(test_a_capacity_that_moves_during_the_run_leaves_computing_calls_unjudged),
        cmocka_unit_test(test_threads_scaling_contradicts_multiprocessing_and_release_gil),
        cmocka_unit_test(test_gil_held_shape_contradicts_threading),
        cmocka_unit_test(test_nothing_scaling_is_a_tie_that_confirms_none),
        cmocka_unit_test(test_a_computing_call_that_processes_cannot_scale_is_inconclusive_not_a_tie),
        cmocka_unit_test(test_overlapping_spreads_are_inconclusive),
        cmocka_unit_test(test_speedups_between_thresholds_are_inconclusive),
        cmocka_unit_test(test_busy_machine_makes_clear_numbers_inconclusive),
        cmocka_unit_test(test_each_busy_signal_alone_makes_the_machine_busy),
        cmocka_unit_test(test_one_core_or_one_worker_is_inconclusive),
        cmocka_unit_test(test_failure_gives_failed_verdict_and_inconclusive_agreement),
        cmocka_unit_test(test_cpu_pressure_and_stat_lines_parse),
        cmocka_unit_test(test_other_processes_cpu_is_busy_ticks_minus_our_own),
        cmocka_unit_test(test_module_name_comes_from_pyinit_outside_comments_and_strings),
        cmocka_unit_test(test_python_sources_are_told_from_plain_c),
        cmocka_unit_test(test_harness_includes_the_unit_and_puts_setup_and_call_in_place),
        cmocka_unit_test(test_harness_builds_a_unit_with_main_and_reaches_its_static_functions),
        cmocka_unit_test(test_crash_in_the_measured_code_is_a_result_not_an_error),
        cmocka_unit_test(test_build_failure_is_a_result_with_the_compiler_message),
        cmocka_unit_test(test_python_exception_is_reported_with_its_message),
        cmocka_unit_test(test_missing_interpreter_is_reported_as_start_failure),
        cmocka_unit_test(test_timeout_kills_the_whole_process_group_quickly),
        cmocka_unit_test(test_timeout_works_without_being_the_reaper),
        cmocka_unit_test(test_what_an_exited_child_leaves_in_its_group_is_killed),
        cmocka_unit_test(test_child_crash_exit_status_and_output_are_reported),
        cmocka_unit_test(test_cancellation_kills_the_child),
        cmocka_unit_test(test_temporary_directory_is_removed_without_following_links),
        cmocka_unit_test(test_options_fill_the_case_and_misuse_is_a_usage_error),
        cmocka_unit_test(test_case_file_is_read_with_paths_against_its_directory),
        cmocka_unit_test(test_case_file_errors_name_line_and_column),
        cmocka_unit_test(test_case_file_parse_survives_every_allocation_failure),
        cmocka_unit_test(test_result_protocol_is_parsed_and_errors_become_failures),
        cmocka_unit_test(test_reports_show_numbers_machine_and_verdict),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tu_cleanup();
    return rc;
}
