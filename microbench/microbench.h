/* microbench.h: `concadvise bench`, the one mode that RUNS the analysed code.  It measures a
 * call serially, in N threads and in N processes, and says whether the measurement confirms a
 * static recommendation (docs/bench.md).  Python extensions are built from one source file (or
 * an importable module is used) and driven by a generated Python script; plain C files are
 * included into a generated pthread/fork harness.  Every child runs in its own process group
 * under a time limit; temporary builds are removed.
 *
 * It does not analyse source code (the verdict concerns the call the user names; attaching it
 * to loops is the caller's business, by `function`), never prints and never exits, except
 * ca_bench_main, which is the command-line entry point of the mode.
 *
 * Ownership: a struct ca_bench_result owns every string and array it points to (its arena);
 * ca_bench_result_fini releases them.  A struct ca_bench_case only borrows its strings.
 * Thread-safety: one ca_bench_run at a time per process (it forks, waits for its children and
 * shares one cancellation flag); the report writers are pure. */
#ifndef CA_MICROBENCH_H
#define CA_MICROBENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ca_base.h"

/* ---- thresholds (docs/bench.md explains each; the verdict code is the only user) */
#define CA_BENCH_WIN 1.5          /* a model wins at this speedup over serial or more */
#define CA_BENCH_FLAT 1.2         /* below this speedup a model does not help */
#define CA_BENCH_MARGIN 1.15      /* two modes differ: ranges apart and medians this far apart */
#define CA_BENCH_BUSY_SLACK 0.5   /* busy when the 1-minute load average > cores - this */
#define CA_BENCH_BUSY_PSI 20.0    /* busy when CPU pressure (some, %) is above this */
#define CA_BENCH_BUSY_OTHER 0.15  /* busy when others used more than this share of the cores */
#define CA_BENCH_GIL_HELD 0.3     /* GIL probe: counter share below this: the call holds the GIL */
#define CA_BENCH_GIL_FREE 0.7     /* ... above this: the call releases it */
#define CA_BENCH_PROBE_MIN 0.0005 /* a call shorter than this (seconds) is too short to probe */
#define CA_BENCH_MIN_CAPACITY 1.25 /* a machine computing with N workers less than this much
                                    * faster than with one cannot show a computing call's speedup */
#define CA_BENCH_FLAT_MIN 1.1     /* FLAT scaled to a weak machine stays above run-to-run noise */
#define CA_BENCH_CAPACITY_DRIFT 1.2 /* busy when the capacity after the runs and before differ by
                                     * this factor: the host shared the cores meanwhile */

/* ORDER REC: ca_bench_rec_str */
enum ca_bench_rec { CA_BENCH_REC_UNSET, CA_BENCH_REC_THREADING, CA_BENCH_REC_MULTIPROCESSING,
                    CA_BENCH_REC_RELEASE_GIL, CA_BENCH_REC_NONE };
/* ORDER VERDICT: ca_bench_verdict_str */
enum ca_bench_verdict { CA_BENCH_V_THREADING, CA_BENCH_V_MULTIPROCESSING, CA_BENCH_V_TIE,
                        CA_BENCH_V_INCONCLUSIVE, CA_BENCH_V_FAILED };
/* ORDER AGREEMENT: ca_bench_agreement_str */
enum ca_bench_agreement { CA_BENCH_A_NOT_ASKED, CA_BENCH_A_CONFIRMS, CA_BENCH_A_CONTRADICTS,
                          CA_BENCH_A_INCONCLUSIVE };
/* ORDER FAILURE: ca_bench_failure_str.  What went wrong in the measured code or its build. */
enum ca_bench_failure { CA_BENCH_F_NONE, CA_BENCH_F_BUILD, CA_BENCH_F_START, CA_BENCH_F_EXCEPTION,
                        CA_BENCH_F_CRASH, CA_BENCH_F_TIMEOUT, CA_BENCH_F_CANCELLED };
/* ORDER CAUSE: ca_bench_cause_str.  Why a verdict is inconclusive (NONE: it is not). */
enum ca_bench_cause { CA_BENCH_C_NONE, CA_BENCH_C_ONE_WORKER, CA_BENCH_C_ONE_CORE, CA_BENCH_C_BUSY,
                      CA_BENCH_C_NO_TIMINGS, CA_BENCH_C_LOW_CAPACITY, CA_BENCH_C_NOT_SCALING,
                      CA_BENCH_C_SPREADS, CA_BENCH_C_BETWEEN, CA_BENCH_C_SERIALISED };
/* ORDER KIND: ca_bench_kind_str */
enum ca_bench_kind { CA_BENCH_PYTHON_SOURCE, CA_BENCH_PYTHON_MODULE, CA_BENCH_C };

/* What to measure.  Strings are borrowed for the duration of ca_bench_run.  Exactly one of
 * source and module; call is required.  Zero / NULL fields take the documented defaults. */
struct ca_bench_case {
    const char *name;          /* label for reports (default: the source's base name or the module) */
    const char *function;      /* the C function the call exercises: the loops the verdict is for */
    const char *source;        /* a Python extension source or a plain C file */
    const char *module;        /* an importable Python module (no build) */
    const char *call;          /* Python: expression using the module as `m`; C: a C expression */
    const char *setup;         /* statements run in each worker before timing (Python or C) */
    enum ca_bench_rec expect;  /* the static recommendation to confirm, or UNSET */
    unsigned workers;          /* threads and processes (0: the usable cores) */
    long calls;                /* calls per run, split across workers (0: calibrate) */
    unsigned repeat;           /* runs per mode (0: 5) */
    double timeout;            /* seconds for the measuring child (0: 60); builds get >= 120 */
    const char *start_method;  /* fork, spawn, forkserver (NULL: the interpreter's default) */
    const char *python;        /* interpreter (NULL: python3 from PATH) */
    const char *cc;            /* C compiler (NULL: $CC, else cc) */
    const char *const *cc_args; size_t ncc_args; /* extra compiler arguments */
    bool keep_temp;            /* leave the build directory (its path is in the result) */
};

struct ca_bench_stats { double min, median, max; };

/* The machine during the run: what makes numbers trustworthy or not.  NaN: not available. */
struct ca_bench_machine {
    unsigned cores;              /* usable: affinity mask, capped by a cgroup CPU quota */
    unsigned online;             /* CPUs online */
    double load_before, load_after; /* 1-minute load average */
    double psi_before, psi_after;   /* /proc/pressure/cpu "some avg10", percent */
    double psi_during;           /* share of the run with a task waiting for a CPU, percent */
    double other_cores;          /* cores used on average by other processes during the run */
    double capacity_before, capacity_after; /* N threads of a reference computation against one
                                  * (ideal N), capped by a CPU quota (mb_capacity.c), just before
                                  * and after the runs; NaN: not measured */
    double capacity;             /* the lesser of the two (mb_machine_judge); NaN: neither */
    double quota;                /* cgroup CPU quota in cores; NaN: none */
    bool busy;
    const char *busy_reason;     /* NULL unless busy */
};

struct ca_bench_result {
    enum ca_bench_kind kind;
    const char *name, *function, *source, *module, *call, *setup;
    const char *python_version, *python_executable, *start_method; /* Python kinds */
    const char *compiler;        /* the compiler command used (source kinds) */
    const char *temp_dir;        /* only with keep_temp */
    unsigned workers, repeat;
    long calls;
    bool calibrated;             /* calls chosen from a timed first batch */
    double *serial, *threads, *procs; size_t nrep; /* seconds per run, in run order */
    struct ca_bench_stats s_serial, s_threads, s_procs;
    double speedup_threads, speedup_procs; /* serial median / mode median */
    double thread_startup, proc_startup;   /* seconds to start the N workers, not in the runs */
    double call_wall, call_cpu;  /* seconds per call (over a calibration batch) */
    double gil_share;            /* median counter share during one call (NaN: not measured) */
    struct ca_bench_machine machine;
    enum ca_bench_failure failure;
    const char *failure_message; /* NULL when failure == NONE */
    enum ca_bench_verdict verdict;
    const char *verdict_reason;
    enum ca_bench_cause cause;   /* why inconclusive; NONE otherwise */
    double win, flat;            /* the thresholds applied (NaN: not reached) */
    enum ca_bench_rec expect;
    enum ca_bench_agreement agreement;
    const char *agreement_reason; /* NULL when not asked */
    double elapsed;              /* wall seconds for the whole case, build included */
    struct ca_arena arena;
};

void ca_bench_result_init(struct ca_bench_result *r);
void ca_bench_result_fini(struct ca_bench_result *r); /* NULL-safe; r may be init'ed again */

/* Check a case without running anything: CA_OK, or CA_ERR_USAGE with *msg (heap, caller frees
 * with ca_free) saying what is wrong; CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_bench_case_check(const struct ca_bench_case *c, char **msg);

/* Build and measure case `c` into `r` (initialised by the caller).  Runs the user's code: call
 * it only when the user asked for a benchmark.  A build failure, a crash, an exception or a
 * timeout of the measured code is a result (r->failure, verdict FAILED), not an error: CA_OK.
 * Errors: CA_ERR_USAGE (the case fails ca_bench_case_check; r->failure_message says why),
 * CA_ERR_NOMEM, CA_ERR_IO (no temporary directory).  Not thread-safe (see above). */
CA_MUST_USE enum ca_status ca_bench_run(const struct ca_bench_case *c, struct ca_bench_result *r);

/* Async-signal-safe: make the running ca_bench_run kill its child's process group, clean up
 * and return with failure CANCELLED (and every later run in this process too). */
void ca_bench_cancel(void);

/* The `benchmark` object (docs/bench.md, "JSON"): appended to b, starting at the current
 * position, nested lines indented by `indent` spaces.  Pure. */
void ca_bench_result_json(const struct ca_bench_result *r, struct ca_buf *b, int indent);
/* The human-readable report of one result, several lines, each ending in '\n'.  Pure. */
void ca_bench_result_text(const struct ca_bench_result *r, struct ca_buf *b);

const char *ca_bench_rec_str(enum ca_bench_rec v);       /* "threading", ...; UNSET: NULL */
bool ca_bench_rec_parse(const char *s, enum ca_bench_rec *out);
const char *ca_bench_verdict_str(enum ca_bench_verdict v);
const char *ca_bench_agreement_str(enum ca_bench_agreement v);
const char *ca_bench_failure_str(enum ca_bench_failure v);
const char *ca_bench_cause_str(enum ca_bench_cause v);   /* NONE: NULL */
const char *ca_bench_kind_str(enum ca_bench_kind v);

/* ---- case files: {"cases": [ {...}, ... ]} (docs/bench.md, "Case files").  The same case
 * objects can sit in a project configuration under "bench"; ca_bench_cases_parse accepts an
 * object with either member.  Relative paths resolve against the file's directory. */
struct ca_bench_cases {
    struct ca_bench_case *cases; size_t ncases;
    struct ca_arena arena;       /* owns the cases and every string in them */
};
void ca_bench_cases_init(struct ca_bench_cases *cs);
void ca_bench_cases_fini(struct ca_bench_cases *cs); /* NULL-safe */
/* Read `path` into *cs (initialised by the caller).  CA_ERR_IO, CA_ERR_PARSE (not JSON),
 * CA_ERR_CONFIG (unknown key, wrong type, bad value): *msg (heap, ca_free) says
 * FILE:LINE:COL: what.  CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_bench_cases_load(const char *path, struct ca_bench_cases *cs, char **msg);
CA_MUST_USE enum ca_status ca_bench_cases_parse(const char *path, const char *text, size_t len,
                                                struct ca_bench_cases *cs, char **msg);

/* `concadvise bench ARGS`: argv[0] is "bench".  Parses its own options (--help lists them),
 * runs, writes the report, returns the exit status: 0 measured (confirms, inconclusive, or no
 * --expect), 1 a verdict contradicts --expect, 2 usage or configuration error, 3 a case could
 * not be measured (build failure, crash, exception, timeout), 130 interrupted.  Prints. */
int ca_bench_main(int argc, char **argv);

#endif
