/* results.h: the findings of a run, which is all the report writers see: per-input status, every
 * loop with its classification, GIL state, recommendation and evidence, and the diagnostics.
 * Results are plain data, sorted (ca_results_sort) so that output is identical for any -j.
 * All strings live in the results' arena. */
#ifndef CA_RESULTS_H
#define CA_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ca_base.h"

/* ORDER CLASS */
enum ca_class { CA_CLASS_UNKNOWN, CA_CLASS_IO, CA_CLASS_CPU, CA_CLASS_MIXED };
/* ORDER GIL */
enum ca_gil { CA_GIL_UNKNOWN, CA_GIL_HELD, CA_GIL_RELEASED, CA_GIL_MIXED, CA_GIL_NONE };
/* ORDER REC */
enum ca_rec { CA_REC_UNKNOWN, CA_REC_NONE, CA_REC_THREADING, CA_REC_MULTIPROCESSING, CA_REC_RELEASE_GIL };
/* ORDER CONF */
enum ca_conf { CA_CONF_LOW, CA_CONF_MEDIUM, CA_CONF_HIGH };
/* ORDER SEV */
enum ca_severity { CA_SEV_NOTE, CA_SEV_WARNING, CA_SEV_ERROR };
/* ORDER INPUT */
enum ca_input_state { CA_INPUT_OK, CA_INPUT_ERROR, CA_INPUT_MISSING, CA_INPUT_INCLUDED };
/* ORDER FT */
enum ca_ft_decl { CA_FT_NA, CA_FT_DECLARED, CA_FT_NOT_DECLARED };

const char *ca_class_str(enum ca_class c);      /* "unknown" "io" "cpu" "mixed" */
const char *ca_gil_str(enum ca_gil g);          /* "unknown" "held" "released" "mixed" "none" */
const char *ca_rec_str(enum ca_rec r);          /* "unknown" "none" "threading" "multiprocessing" "release-gil" */
const char *ca_conf_str(enum ca_conf c);        /* "low" "medium" "high" */
const char *ca_severity_str(enum ca_severity s);/* "note" "warning" "error" */
const char *ca_input_state_str(enum ca_input_state s); /* "ok" "error" "missing" "included" */
const char *ca_ft_decl_str(enum ca_ft_decl f);         /* "n/a" "declared" "not-declared" */
/* Parse "note"/"warning"/"error"; false when `s` is none of them. */
bool ca_severity_parse(const char *s, enum ca_severity *out);

/* One piece of evidence: a place in the source and what it shows.
 * kind is one of: "io-call", "cpu-call", "python-api", "gil-release", "gil-acquire",
 * "unknown-call", "indirect-call", "pointer-call" (resolved by type; `via` says to what),
 * "thread-unsafe", "global-write", "nested-loop", "bound". */
struct ca_evidence {
    const char *file;
    uint32_t line, col;
    const char *kind;
    const char *name;   /* the callee, macro or variable; for "bound" the bound text */
    const char *via;    /* for effects reached through helpers: "helper -> helper2", else NULL */
};

struct ca_loop_result {
    const char *file;         /* display path, as the user gave it */
    uint32_t line, col, end_line;
    const char *function;
    const char *kind;         /* "for" | "while" | "do" */
    uint32_t depth;
    enum ca_class cls;
    enum ca_gil gil;
    bool python_api;          /* calls the Python C-API (needs the GIL) in the body */
    enum ca_rec rec;
    enum ca_conf conf;
    uint32_t hotness;         /* 0..100, see docs/hotness.md */
    bool hot;                 /* hotness at or above the threshold and not trivial */
    const char **reasons;   uint32_t nreasons;
    struct ca_evidence *evidence; uint32_t nevidence;
    bool profiled;            /* --profile given and the loop's function is in some stack */
    uint64_t profile_samples; /* samples with the loop's function on the stack (inclusive) */
    uint32_t profile_permille;/* those samples per mille of all samples */
    const char *benchmark_json; /* --bench: the measured `benchmark` object (docs/bench.md), or NULL */
    const char *benchmark_line; /* --bench: one line for the text and HTML reports, or NULL */
};

/* A profiler frame that matches no analysed function (--profile), listed once. */
struct ca_unprofiled {
    const char *frame;
    uint64_t samples;
};

struct ca_diagnostic {
    const char *rule;         /* rule id */
    enum ca_severity severity;
    const char *file;
    uint32_t line, col;
    const char *message;
    const char *function;     /* enclosing function or NULL */
    const char *fingerprint;  /* set by ca_results_fingerprint: 32 hex digits, or NULL */
};

/* A problem with one input file (clang's own error messages when it does not parse). */
struct ca_input_error {
    const char *file;
    uint32_t line, col;
    const char *message;
};

struct ca_input_result {
    const char *file;         /* display path */
    enum ca_input_state state;
    bool python;              /* a CPython extension file (includes Python.h) */
    uint32_t nloops;
    struct ca_input_error *errors; uint32_t nerrors;
    enum ca_ft_decl free_threading; /* a Python file: does it declare free-threading support? */
};

/* A stretch of a function that runs with the GIL released: from the call that releases it
 * (Py_BEGIN_ALLOW_THREADS, a wrapper) to the call that takes it back, or the function's end. */
struct ca_region {
    const char *file;
    uint32_t line, col;       /* the releasing call */
    uint32_t end_line;        /* the re-acquiring call, or the function's last line */
    const char *function;
    const char *by;           /* what released it: "Py_BEGIN_ALLOW_THREADS", "ImagingSectionEnter" */
};

struct ca_results {
    struct ca_input_result *inputs;   uint32_t ninputs;
    struct ca_loop_result *loops;     uint32_t nloops;
    struct ca_diagnostic *diags;      uint32_t ndiags;
    struct ca_region *regions;        uint32_t nregions;
    struct ca_unprofiled *unprofiled; uint32_t nunprofiled; /* sorted by samples desc, then frame */
    uint64_t profile_total;           /* all samples of the --profile file; 0 without one */
    struct ca_arena arena;
    size_t cap_[5];                   /* private */
};

void ca_results_init(struct ca_results *r);
void ca_results_fini(struct ca_results *r);
/* Append a copy (strings and arrays copied into r's arena).  Return CA_ERR_NOMEM on failure. */
CA_MUST_USE enum ca_status ca_results_add_input(struct ca_results *r, const struct ca_input_result *v);
CA_MUST_USE enum ca_status ca_results_add_loop(struct ca_results *r, const struct ca_loop_result *v);
CA_MUST_USE enum ca_status ca_results_add_diag(struct ca_results *r, const struct ca_diagnostic *v);
CA_MUST_USE enum ca_status ca_results_add_region(struct ca_results *r, const struct ca_region *v);
CA_MUST_USE enum ca_status ca_results_add_unprofiled(struct ca_results *r, const struct ca_unprofiled *v);
/* Sort inputs by file; loops by (file, line, col); diagnostics by (file, line, col, rule, message);
 * regions by (file, line, col, end_line). */
void ca_results_sort(struct ca_results *r);

/* After ca_results_sort: merge what several translation units report about the same place (a
 * function in a header included by several files): one loop per (file, line, column), the first
 * in sort order; identical diagnostics and regions once. */
void ca_results_dedupe(struct ca_results *r);

/* Give every diagnostic a fingerprint that survives edits elsewhere in the file: a 128-bit hash
 * (32 hex digits) of rule, file, function, message and the occurrence number among diagnostics
 * with the same four (in line order), with no line or column in it.  Messages therefore never
 * contain line numbers.  Call after ca_results_sort.  Used by SARIF partialFingerprints and
 * baselines. */
CA_MUST_USE enum ca_status ca_results_fingerprint(struct ca_results *r);

/* Counts for summaries: number of loops per class/gil/rec, diagnostics per severity. */
struct ca_results_summary {
    uint32_t files, files_ok, files_failed, files_included;
    uint32_t loops, hot_loops;
    uint32_t by_class[4], by_gil[5], by_rec[5];
    uint32_t by_severity[3];
};
void ca_results_summarize(const struct ca_results *r, struct ca_results_summary *s);

#endif
