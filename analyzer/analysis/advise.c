/* advise.c: from a loop's profile to a recommendation, a confidence and reasons.
 * The rules follow the classic guidance (docs/analysis.md has the table):
 *   trivial loop                      -> none
 *   runs only in a forked child       -> none (one thread: neither threads nor the GIL apply)
 *   unknown work                      -> unknown
 *   GIL released (or mixed: released around the slow part) -> threading
 *   GIL held, blocking I/O            -> release-gil (release around the call, then threads)
 *   GIL held, CPU, no Python API      -> release-gil
 *   GIL held, CPU, Python API         -> multiprocessing
 *   plain C (no GIL): io -> threading; cpu on private data -> threading; cpu with thread-unsafe
 *   calls or global writes -> multiprocessing (or fix them)
 *   GIL unknown: Python API use means it is held (-> multiprocessing); I/O -> threading with low
 *   confidence; otherwise unknown.
 * Reasons cite the evidence (name and line) so a user can check them. */
#include <stdio.h>
#include <string.h>

#include "loops.h"

struct reasons {
    struct ca_arena *arena;
    const char **v;
    uint32_t n, max;
};

static void say(struct reasons *r, const char *fmt, ...) CA_PRINTF(2, 3);
static void say(struct reasons *r, const char *fmt, ...)
{
    va_list ap;
    struct ca_buf b;
    if (r->n >= r->max) return;
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (!b.failed) {
        const char *s = ca_arena_strdup(r->arena, b.data ? b.data : "");
        if (s) r->v[r->n++] = s;
    }
    ca_buf_fini(&b);
}

static uint32_t ev_line(const struct ca_loop_profile *lp, const char *kind, const char *name)
{
    for (uint32_t i = 0; i < lp->nev; i++)
        if (strcmp(lp->ev[i].kind, kind) == 0 && (!name || strcmp(lp->ev[i].name, name) == 0)) return lp->ev[i].line;
    return 0;
}

static void what_it_does(struct reasons *r, const struct ca_loop_profile *lp)
{
    switch (lp->cls) {
    case CA_CLASS_IO:
        say(r, "I/O-bound: it blocks in %s() (line %u)%s", lp->io_name, ev_line(lp, "io-call", lp->io_name),
            lp->io_unbounded ? ", which may wait without limit" : "");
        break;
    case CA_CLASS_MIXED:
        say(r, "mixed: it blocks in %s() (line %u) and also computes (%s)", lp->io_name,
            ev_line(lp, "io-call", lp->io_name),
            lp->nested_cpu ? "a nested loop" : lp->cpu_name ? lp->cpu_name : "arithmetic");
        break;
    case CA_CLASS_CPU:
        if (lp->cpu_name) say(r, "CPU-bound: it computes, including %s() (line %u)", lp->cpu_name, ev_line(lp, "cpu-call", lp->cpu_name));
        else if (lp->api) say(r, "CPU-bound: it works on Python objects (%s, line %u) and makes no blocking call", lp->api_name, ev_line(lp, "python-api", lp->api_name));
        else say(r, "CPU-bound: arithmetic and memory work (%u operator%s per iteration%s), no blocking call", lp->body_ops, lp->body_ops == 1 ? "" : "s",
                 lp->nested_cpu ? ", plus nested loops" : "");
        break;
    case CA_CLASS_UNKNOWN:
        say(r, "its work is in calls that cannot be seen into: %s (line %u)", lp->unknown_name,
            lp->nev ? ev_line(lp, "indirect-call", NULL) + ev_line(lp, "unknown-call", NULL) : 0);
        break;
    }
}

static void gil_words(struct reasons *r, const struct ca_loop_profile *lp)
{
    switch (lp->gil) {
    case CA_GIL_RELEASED:
        if (lp->release_name) say(r, "the GIL is released around it (%s, line %u)", lp->release_name, lp->release_line);
        else say(r, "the GIL is released while it runs");
        break;
    case CA_GIL_MIXED: {
        uint32_t rel = ev_line(lp, "gil-release", NULL), acq = ev_line(lp, "gil-acquire", NULL);
        if (rel && acq) say(r, "part of the body runs without the GIL: released at line %u, taken back at line %u", rel, acq);
        else if (rel || acq) say(r, "part of the body runs without the GIL (GIL call at line %u)", rel ? rel : acq);
        else say(r, "part of the body runs without the GIL (inside the functions it calls)");
        break;
    }
    case CA_GIL_HELD: say(r, "the GIL is held while it runs"); break;
    case CA_GIL_NONE: say(r, "plain C: no Python, no GIL"); break;
    case CA_GIL_UNKNOWN: say(r, "the GIL state is unknown here (not reached from a Python entry point, or it depends on the path)"); break;
    }
}

void ca_loops_advise(const struct ca_program *p, const struct ca_loop_profile *lp, struct ca_arena *arena,
                     enum ca_rec *rec, enum ca_conf *conf, const char **out, uint32_t *nout, uint32_t max)
{
    struct reasons r = {arena, out, 0, max};
    bool shared = lp->unsafe || lp->global_write;
    *conf = CA_CONF_HIGH;
    if (lp->trivial) {
        *rec = CA_REC_NONE;
        say(&r, "trivial: a small constant trip count (%.0f iterations) and a cheap body; not worth parallelising",
            lp->iterations);
        *nout = r.n;
        return;
    }
    what_it_does(&r, lp);
    gil_words(&r, lp);
    if (lp->in_child) {
        *rec = CA_REC_NONE;
        say(&r, "it runs only in a forked child process (where fork() returned 0, or in a function called only "
                "there): the child has one thread, so the GIL keeps nobody waiting and threads or processes are "
                "not the question");
        *nout = r.n;
        return;
    }
    if (lp->cls == CA_CLASS_UNKNOWN) {
        *rec = CA_REC_UNKNOWN;
        *conf = CA_CONF_LOW;
        say(&r, "no recommendation without knowing what those calls do");
        *nout = r.n;
        return;
    }
    switch (lp->gil) {
    case CA_GIL_RELEASED:
    case CA_GIL_MIXED:
        *rec = CA_REC_THREADING;
        if (lp->gil == CA_GIL_MIXED) {
            *conf = lp->cls == CA_CLASS_CPU ? CA_CONF_MEDIUM : CA_CONF_HIGH;
            say(&r, "threads overlap the part that runs without the GIL%s",
                lp->cls == CA_CLASS_CPU ? "; the part holding it still runs one thread at a time" : "");
        } else {
            say(&r, "threads run it in parallel; they also share memory and cost less than processes");
        }
        if (lp->api && lp->gil == CA_GIL_RELEASED) {
            *conf = CA_CONF_LOW;
            say(&r, "but it calls the Python C-API (%s) without the GIL: fix that first (gil-api-without-gil)", lp->api_name);
        }
        break;
    case CA_GIL_HELD:
        if (lp->cls == CA_CLASS_IO || lp->cls == CA_CLASS_MIXED) {
            *rec = CA_REC_RELEASE_GIL;
            say(&r, "it blocks with the GIL held, stalling every other Python thread: release the GIL around %s() "
                    "(Py_BEGIN_ALLOW_THREADS) and threads overlap the waits", lp->io_name);
            if (lp->api) say(&r, "keep the GIL for the Python API calls (%s) and release it only around the blocking call", lp->api_name);
        } else if (!lp->api) {
            *rec = CA_REC_RELEASE_GIL;
            say(&r, "it calls no Python API, so it can run without the GIL: release it around the loop and threads scale on all cores");
            if (lp->unknown_call) { *conf = CA_CONF_MEDIUM; say(&r, "check that %s does not need the GIL", lp->unknown_name); }
        } else {
            *rec = CA_REC_MULTIPROCESSING;
            if (lp->api_call_python) *conf = CA_CONF_MEDIUM;
            say(&r, "it calls the Python C-API (%s, line %u), which needs the GIL: threads would run it one at a time; use processes",
                lp->api_name, ev_line(lp, "python-api", lp->api_name));
            say(&r, "processes win for heavy data-parallel work; send each one a large chunk so the pickling cost stays small");
        }
        break;
    case CA_GIL_NONE:
        if (lp->cls == CA_CLASS_IO || lp->cls == CA_CLASS_MIXED) {
            *rec = CA_REC_THREADING;
            say(&r, "threads overlap the waits; processes would add start-up and copying for nothing");
        } else if (shared) {
            *rec = CA_REC_MULTIPROCESSING;
            *conf = CA_CONF_MEDIUM;
            if (lp->unsafe) say(&r, "%s() is not thread-safe: use %s to run it in threads, or use processes", lp->unsafe_name, lp->unsafe_repl);
            if (lp->global_write) say(&r, "it writes the global %s: shared mutable state needs locks in threads; processes keep their own copy", lp->global_name);
        } else {
            *rec = CA_REC_THREADING;
            say(&r, "CPU-bound C on private data: threads run it in parallel with no copying");
        }
        if (lp->unsafe && *rec == CA_REC_THREADING)
            say(&r, "%s() is not thread-safe: use %s", lp->unsafe_name, lp->unsafe_repl);
        break;
    case CA_GIL_UNKNOWN:
        *conf = CA_CONF_LOW;
        if (lp->cls == CA_CLASS_IO || lp->cls == CA_CLASS_MIXED) {
            *rec = CA_REC_THREADING;
            say(&r, "threads help if the GIL is released around %s() (or if this is not called from Python)", lp->io_name);
        } else if (lp->api) {
            *rec = CA_REC_MULTIPROCESSING;
            *conf = CA_CONF_MEDIUM;
            say(&r, "it calls the Python C-API (%s), so it runs with the GIL held: threads would serialise; use processes", lp->api_name);
        } else {
            *rec = CA_REC_UNKNOWN;
            say(&r, "whether threads help depends on the GIL state, which is not known here");
        }
        break;
    }
    /* Free-threaded CPython (PEP 703, 3.13t+): what changes for loops that hold the GIL. */
    if (p->tus[lp->tu].python && lp->gil == CA_GIL_HELD && lp->cls != CA_CLASS_UNKNOWN &&
        (*rec == CA_REC_MULTIPROCESSING || *rec == CA_REC_RELEASE_GIL)) {
        if (p->tus[lp->tu].ft_declared)
            say(&r, "on a free-threaded build (Python 3.13t+) this module declares Py_mod_gil: threads run this loop "
                    "in parallel there without any change%s",
                lp->api ? ", as long as the objects it touches are not shared mutably between threads" : "");
        else
            say(&r, "on a free-threaded build (Python 3.13t+) it becomes a candidate for threads once the module is "
                    "made thread-safe and declares Py_mod_gil = Py_MOD_GIL_NOT_USED; until then the interpreter "
                    "re-enables the GIL for it");
    }
    if (lp->pointer_calls && *conf == CA_CONF_HIGH) {
        *conf = CA_CONF_MEDIUM;
        say(&r, "it calls through a function pointer; the targets are the functions of that type whose address is taken");
    }
    if (lp->unknown_call && *conf == CA_CONF_HIGH) {
        *conf = CA_CONF_MEDIUM;
        say(&r, "it also calls %s, whose cost is unknown", lp->unknown_name);
    }
    if (lp->global_write && lp->gil != CA_GIL_NONE && (*rec == CA_REC_THREADING || *rec == CA_REC_RELEASE_GIL))
        say(&r, "it writes the global %s: with threads that needs a lock", lp->global_name);
    *nout = r.n;
}
