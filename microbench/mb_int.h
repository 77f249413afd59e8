/* mb_int.h: the private parts of microbench, shared between its files and its unit tests:
 * the child runner (process group, time limit, output capture), temporary directories, the
 * machine probes, the verdict, module-name detection and the generated driver and harness.
 * Nothing here prints or exits. */
#ifndef CA_MB_INT_H
#define CA_MB_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "microbench.h"

#define MB_DEFAULT_REPEAT 5
#define MB_MAX_REPEAT 50
#define MB_DEFAULT_TIMEOUT 60.0
#define MB_BUILD_TIMEOUT 120.0  /* at least this for the compiler and the interpreter query */
#define MB_TARGET_SECONDS 0.2   /* calibrated runs: about this much serial work per run */
#define MB_MAX_WORKERS 256

/* ---- child processes (mb_child.c) */
enum mb_child_how { MB_CHILD_EXITED, MB_CHILD_SIGNALED, MB_CHILD_TIMEOUT, MB_CHILD_CANCELLED,
                    MB_CHILD_EXEC_FAILED };

struct mb_child {
    enum mb_child_how how;
    pid_t pid;         /* the child, which led its own process group (reaped by now) */
    int code;          /* EXITED: exit status; SIGNALED: the signal; EXEC_FAILED: errno */
    char *out, *err;   /* captured standard output and error (heap; err keeps the last 16 KiB) */
    size_t nout, nerr;
    double wall;       /* seconds from fork to reap */
    double cpu;        /* user + system seconds of the child and its reaped descendants */
    int stragglers;    /* processes of its group still alive after it exited, then killed */
};
void mb_child_fini(struct mb_child *c); /* NULL-safe */

/* Run argv (argv[0] looked up in PATH) with standard input from /dev/null, in a new process
 * group, capturing its output; give it `timeout` seconds.  On timeout or cancellation the whole
 * group gets SIGKILL; when the child exits, whatever is left of its group is killed too.  The
 * group is signalled only while its leader is unreaped, so a recycled id is never hit.
 * Returns CA_OK with *c filled (whatever happened to the child), or CA_ERR_NOMEM / CA_ERR_IO
 * (no pipe, no fork).  *c is owned by the caller (mb_child_fini). */
CA_MUST_USE enum ca_status mb_child_run(const char *const *argv, double timeout, struct mb_child *c);
/* Live (not zombie) processes whose process group is pgid, from /proc; -1 without /proc. */
int mb_group_count(pid_t pgid);
/* The flag ca_bench_cancel sets (tests may reset it). */
extern volatile sig_atomic_t mb_cancelled;

/* A fresh private directory $TMPDIR/concadvise-bench-XXXXXX (heap path, caller frees). */
CA_MUST_USE enum ca_status mb_tmpdir_new(char **out);
/* Remove dir and everything below it (does not follow symbolic links).  Returns 0 or -1. */
int mb_tmpdir_remove(const char *dir);
CA_MUST_USE enum ca_status mb_file_write(const char *path, const char *text);

/* ---- the machine (mb_machine.c) */
unsigned mb_cores(unsigned *online);
/* This process's cgroup CPU quota in cores (1.5 for "150000 100000"), NaN when there is
 * none: the smallest on the way from its cgroup (/proc/self/cgroup) up to the root, v2 or v1. */
double mb_cpu_quota(void);
/* The same with the cgroup file system at `root` and /proc/self/cgroup's text given. */
double mb_cpu_quota_in(const char *root, const char *self_cgroup);
/* How much faster `workers` threads compute a reference workload at once than one thread
 * does it alone (ideal: workers), capped by the CPU quota; NaN when workers < 2 or threads
 * cannot start.  About 0.4 s.  (mb_capacity.c) */
double mb_parallel_capacity(unsigned workers);
/* 1-minute load average, NaN when unknown. */
double mb_loadavg(void);
/* Parse /proc/pressure/cpu text: "some avg10=..." percent and its total (microseconds). */
bool mb_psi_parse(const char *text, double *avg10, unsigned long long *total);
/* Parse /proc/stat text: busy and total ticks summed over the CPUs whose bit is set in
 * `mask` (cpu0 = bit 0 of mask[0]; nmask words of 64 bits).  Steal counts as busy. */
bool mb_stat_parse(const char *text, const unsigned long long *mask, size_t nmask,
                   unsigned long long *busy, unsigned long long *total);

struct mb_snap {
    double t;                         /* CLOCK_MONOTONIC seconds */
    bool stat_ok, psi_ok;
    unsigned long long busy, total;   /* /proc/stat ticks over the usable CPUs */
    unsigned long long psi_total;     /* microseconds */
    double psi_avg10;
    double self_cpu;                  /* this process's user + system seconds */
};
void mb_snap_take(struct mb_snap *s);
/* Fill psi_during and other_cores from two snapshots around a child that used `child_cpu`
 * seconds. */
void mb_snap_diff(const struct mb_snap *a, const struct mb_snap *b, double child_cpu, struct ca_bench_machine *m);
/* Decide m->busy and m->busy_reason (a static string or one printed into arena). */
void mb_machine_judge(struct ca_bench_machine *m, struct ca_arena *arena);

/* ---- verdict (mb_verdict.c) */
struct ca_bench_stats mb_stats(const double *v, size_t n);
/* Stats, speedups, verdict and agreement of a result whose samples, machine, failure and
 * expect fields are set.  Reasons are printed into r->arena. */
void mb_judge(struct ca_bench_result *r);

/* ---- generated text (mb_gen.c) */
/* The module name a Python extension source defines: the name after "PyInit_" in the first
 * function declarator outside comments and string literals; else the file's base name up to
 * its first '.'.  Writes into out[0..n); false when neither gives a valid identifier. */
bool mb_module_name(const char *text, const char *path, char *out, size_t n);
/* Does the text include Python.h (outside comments)? */
bool mb_is_python_source(const char *text);
/* A valid dotted Python module name (a.b.c of identifiers). */
bool mb_valid_module(const char *s);
/* The Python driver script (constant text). */
extern const char mb_driver_py[];
/* The timing half of the C harness (constant text; it starts with "#undef main"). */
extern const char mb_harness_main_c[];
/* The half that includes the translation unit at absolute path `tu` and defines
 * concadvise_bench_body() from setup and call; compiled with -Dmain=concadvise_bench_user_main. */
void mb_harness_user_c(struct ca_buf *b, const char *tu, const char *setup, const char *call);
#define MB_USER_MAIN "concadvise_bench_user_main"

/* ---- measurement protocol (mb_run.c): parse the result file of the driver or the harness
 * (one JSON object; docs/bench.md, "Protocol") into r.  CA_ERR_PARSE with *msg when malformed. */
CA_MUST_USE enum ca_status mb_result_parse(const char *text, size_t len, struct ca_bench_result *r, char **msg);

/* ---- the command line (mb_main.c) */
struct mb_opts {
    struct ca_bench_case c;        /* the case the options describe; strings borrowed from argv */
    bool given_threads, given_calls, given_repeat, given_timeout; /* to override case files */
    const char *cases_path;        /* --cases */
    const char **only; size_t nonly;       /* --case (heap array of borrowed strings) */
    const char **cc_args;          /* --cc-arg (heap array of borrowed strings), count in c.ncc_args */
    bool json, quiet;
    const char *output;
};
enum mb_parse { MB_PARSE_RUN, MB_PARSE_HELP, MB_PARSE_USAGE };
/* Parse argv (argv[0] = "bench") into *o.  USAGE: err says why (one line).  Not reentrant
 * (getopt).  mb_opts_fini frees the arrays whatever the result. */
enum mb_parse mb_opts_parse(int argc, char **argv, struct mb_opts *o, char *err, size_t nerr);
void mb_opts_fini(struct mb_opts *o);
void mb_help(FILE *f);

#endif
