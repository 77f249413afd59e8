/* program.h: the whole-program view the analysis phases share (private to analyzer/analysis and
 * analyzer/checks).  It joins the facts of every translation unit: function table, call targets,
 * catalog roles per call site, per-entry-state function summaries, and the GIL states recorded by
 * the final flow run.  Built by ca_program_build; filled by summary.c; read by classify, advise
 * and the checks.  Not thread-safe (the whole-program phase runs on one thread). */
#ifndef CA_PROGRAM_H
#define CA_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "results.h"
#include "rules.h"

/* ---- GIL abstract state.
 * A configuration is (cur, saved): cur is the thread's GIL state now, saved is what the innermost
 * PyGILState_Ensure saw (CA_SAVED_NONE outside an Ensure/Release pair, else 1 + that state).
 * CA_CUR_NESTED is "released twice": a release inside a released region (a bug, reported once)
 * whose matching acquire brings the state back to released, as its author meant.  A state is a
 * set of configurations (a 30-bit mask).  Effects and entry states use cur states only, with
 * nested folded into released: a 4-bit mask. */
enum ca_cur { CA_CUR_HELD, CA_CUR_RELEASED, CA_CUR_UNKNOWN, CA_CUR_NONE, CA_NCUR };
#define CA_CUR_NESTED 4u
#define CA_NSTATES 5u
#define CA_SAVED_NONE 0u
#define CA_NSAVED (CA_NSTATES + 1u)
typedef uint32_t ca_gstate;  /* bit cur*CA_NSAVED+saved */
typedef uint8_t ca_curs;     /* bit cur, cur < CA_NCUR */
#define CA_CFG(cur, saved) ((ca_gstate)1u << ((cur) * CA_NSAVED + (saved)))
ca_curs ca_gstate_curs(ca_gstate s);

/* What a call site is, resolved once. */
struct ca_callsite {
    uint32_t target;          /* program function id (fns[]), CA_NONE if not defined in the run;
                                 with several external definitions, the first of them */
    uint32_t alt, nalt;       /* nalt >= 2: every definition is p->alts[alt .. alt+nalt); the
                                 call applies the join of their summaries (a stub and a real
                                 wrapper disagree: the result is honestly unknown) */
    bool known;               /* a catalog knows the name (info valid) */
    bool api;                 /* python_api and not inside a macro that is safe without the GIL */
    bool unknown;             /* indirect, or neither defined nor catalogued */
    bool pyfunc;              /* declared in Python's headers (CA_CALL_PYDECL) */
    bool via_pointer;         /* an indirect call resolved by type to the targets below: its
                                 effects for classification are those all targets share */
    bool in_child;            /* runs only in a forked child (forkchild.c) */
    struct ca_func_info info;
};

/* Effects of a function entered in one cur state (with no Ensure pending), transitively.
 * Each mask says in which cur states the effect happens. */
struct ca_fn_sum {
    ca_curs exit;             /* cur states on return; 0 = never returns (or not computed yet) */
    ca_curs seen;             /* every cur state at any point inside */
    ca_curs io, io_unbounded, cpu, api, unknown;
    uint32_t io_ev, cpu_ev, api_ev; /* a witness call site (global call id) or CA_NONE */
};

/* Why a function starts in the states it starts in.  ORDER ENTRY */
enum ca_entry_why { CA_ENTRY_NONE, CA_ENTRY_PYTHON, CA_ENTRY_THREAD, CA_ENTRY_CALLERS, CA_ENTRY_DEFAULT };

struct ca_fn {
    uint32_t tu, idx;         /* the definition: tus[tu].funcs[idx] */
    const char *name;
    ca_curs entry;            /* top-down entry states */
    enum ca_entry_why why;
    const char *why_detail;   /* "PyMethodDef methods", "thread started by pthread_create" */
    struct ca_fn_sum sum[CA_NCUR];
    bool has_loops;
    bool child_only;          /* called only from forked-child code (forkchild.c) */
    uint32_t nloops_incl;     /* loops inside, transitively (capped), for hotness */
};

/* Per translation unit: resolved calls and what the final flow run recorded. */
struct ca_tu_view {
    struct ca_callsite *calls;    /* [ncalls] */
    ca_gstate *before, *after;    /* [ncalls] states at each call site */
    ca_gstate *loop_head;         /* [nloops] states at each loop head */
    ca_curs *loop_seen;           /* [nloops] cur states anywhere in the loop, callees included */
    bool *loop_child;             /* [nloops] the loop runs only in a forked child */
    uint32_t *fn_of;              /* [nfuncs] program function id */
};

/* A GIL finding from the final run, turned into diagnostics by the checks. ORDER GILFIND */
enum ca_gil_find { CA_FIND_NESTED_RELEASE, CA_FIND_NESTED_ACQUIRE, CA_FIND_RETURN_RELEASED };
struct ca_gil_finding {
    enum ca_gil_find kind;
    uint32_t tu, func;
    struct ca_loc loc;
    const char *name;         /* the primitive (or "return") */
};

struct ca_name_ent;
struct ca_addr_taken;

struct ca_program {
    struct ca_tu_facts *tus; uint32_t ntus;
    const struct ca_rules *rules;
    struct ca_fn *fns; uint32_t nfns;
    struct ca_tu_view *views;     /* [ntus] */
    uint32_t *call_base;          /* [ntus] global call id = call_base[tu] + call index */
    uint32_t ncalls_total;
    struct ca_gil_finding *finds; uint32_t nfinds; size_t finds_cap;
    struct ca_name_ent *names; uint32_t nnames; /* definitions sorted by name (program.c) */
    uint32_t *alts; size_t nalts, alts_cap;      /* candidate lists of ambiguous calls */
    struct ca_addr_taken *taken; uint32_t ntaken; /* functions whose address is taken, by type */
    struct ca_arena arena;
};

#define CA_MAX_POINTER_TARGETS 64   /* stored in the member called through: more stays unknown */
#define CA_MAX_TYPE_ONLY_TARGETS 8  /* a plain pointer matched by type alone: more stays unknown */

/* Build the program from facts (borrowed: they must outlive it): function table, name
 * resolution (static names inside their TU first, then external definitions; a name defined
 * externally in several TUs resolves only inside its own TU, elsewhere it stays unknown),
 * catalog roles per call site. */
CA_MUST_USE enum ca_status ca_program_build(struct ca_program *p, struct ca_tu_facts *tus, uint32_t ntus,
                                            const struct ca_rules *rules);
void ca_program_fini(struct ca_program *p);

/* Marks call sites and loops that run only in a forked child (forkchild.c); called by
 * ca_program_build once the calls are resolved. */
CA_MUST_USE enum ca_status ca_program_mark_fork_children(struct ca_program *p);

/* The file a function's facts are located in: its header, or the TU's main file. */
static inline const char *ca_func_file(const struct ca_tu_facts *f, uint32_t func)
{
    return func < f->nfuncs && f->funcs[func].file ? f->funcs[func].file : f->path;
}

/* The definition that `name` means in TU `tu`, or CA_NONE (undefined or ambiguous). */
uint32_t ca_program_resolve(const struct ca_program *p, uint32_t tu, const char *name);

/* The definitions a call site may reach: ca_ntargets of them, ca_target(p, cs, i) each. */
static inline uint32_t ca_ntargets(const struct ca_callsite *cs)
{
    return cs->target == CA_NONE ? 0 : cs->nalt ? cs->nalt : 1;
}
static inline uint32_t ca_target(const struct ca_program *p, const struct ca_callsite *cs, uint32_t i)
{
    return cs->nalt ? p->alts[cs->alt + i] : cs->target;
}

/* Global call id -> (tu, call). */
void ca_program_call_at(const struct ca_program *p, uint32_t gid, uint32_t *tu, uint32_t *call);

/* Phases (summary.c): bottom-up summaries to a fixpoint, then top-down entry states, then the
 * final flow run recording states at call sites and loops and collecting GIL findings. */
CA_MUST_USE enum ca_status ca_program_solve(struct ca_program *p);

/* ---- the flow interpreter (gilflow.c) */

/* The effects (and seen states) of the definitions call site `cs` may reach, entered in the cur
 * states `curs`; witnesses are left CA_NONE.  Shared by the flow and the loop classifier. */
void ca_flow_callee_effects(const struct ca_program *p, const struct ca_callsite *cs, ca_curs curs,
                            struct ca_fn_sum *out);
struct ca_flow_rec {
    /* summary accumulation (always) */
    ca_gstate exit;
    struct ca_fn_sum *sum;        /* where effects go, or NULL */
    /* final-run recording (NULL during summary runs) */
    struct ca_tu_view *view;
    struct ca_program *prog;      /* for findings in the final run (NULL: none recorded) */
    ca_gstate *ret_states;        /* [nir] or NULL: states at RETURN nodes and at the end */
};

/* Run the body of function `func` of TU `tu` from `entry`, using the current summaries of the
 * callees.  Returns CA_ERR_NOMEM only. */
CA_MUST_USE enum ca_status ca_flow_run(struct ca_program *p, uint32_t tu, uint32_t func, ca_gstate entry,
                                       struct ca_flow_rec *rec);

/* Apply the call site `call` of TU `tu` to the state `in`; the effects go to *sum if non-NULL.
 * Findings are recorded when `finds` is true. */
ca_gstate ca_flow_apply_call(struct ca_program *p, uint32_t tu, uint32_t call, ca_gstate in,
                             struct ca_fn_sum *sum, bool finds);

#endif
