/* loops.h: per-loop judgement (private to the analysis).  classify.c gathers what each loop does
 * (its profile: effects of its calls, GIL states, trip counts, evidence) and decides the
 * classification, GIL state and hotness; advise.c turns that into a recommendation with reasons. */
#ifndef CA_LOOPS_H
#define CA_LOOPS_H

#include "program.h"

#define CA_MAX_EVIDENCE 12

struct ca_loop_profile {
    uint32_t tu, loop;
    ca_curs head, seen;
    bool io, io_unbounded, cpu_call, heavy_cpu, api, api_call_python, unknown_call;
    bool unsafe, global_write, gil_transition, callee_loops;
    bool body_releases;           /* a GIL primitive or releasing callee is called in the loop */
    bool pointer_calls;           /* calls through pointers resolved by type */
    bool in_child;                /* runs only in a forked child (forkchild.c) */
    uint32_t ncalls, nunknown, napi;
    uint32_t body_ops;            /* ops minus the loop's own control (compare and step) */
    double trip, iterations;      /* estimated trips of this loop; of it and its ancestors */
    double work;                  /* estimated cost of one iteration, nested loops included */
    bool const_chain;             /* this loop, its ancestors and its nested loops have constant bounds */
    bool nested_cpu;              /* a nested loop computes */
    struct ca_evidence ev[CA_MAX_EVIDENCE]; uint32_t nev;
    const char *unsafe_name, *unsafe_repl, *global_name;
    const char *io_name, *api_name, *cpu_name, *unknown_name, *release_name;
    uint32_t release_line;
    /* results */
    enum ca_class cls;
    enum ca_gil gil;
    uint32_t hotness;
    bool trivial, hot;
};

/* Profiles for every loop of every TU, in (tu, loop) order: *out is an array with one entry per
 * loop (caller frees with ca_free). Strings point into the facts or the program's arena. */
CA_MUST_USE enum ca_status ca_loops_profile(struct ca_program *p, struct ca_loop_profile **out, uint32_t *n);

/* Recommendation, confidence and reasons for one profile; reasons are allocated in `arena`. */
void ca_loops_advise(const struct ca_program *p, const struct ca_loop_profile *lp, struct ca_arena *arena,
                     enum ca_rec *rec, enum ca_conf *conf, const char **reasons, uint32_t *nreasons,
                     uint32_t max_reasons);

#define CA_HOT_THRESHOLD 35

#endif
