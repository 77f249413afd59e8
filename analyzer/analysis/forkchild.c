/* forkchild.c: which code runs only in a forked child.  After `pid = fork()`, the path where it
 * returned 0 (`if (pid == 0) {...}`, or what follows `if (pid != 0) return pid;`) runs in a new
 * process with one thread: holding the GIL there keeps no other thread waiting, and "use
 * threads" or "release the GIL" is no advice for it.  The front end marks the branches that
 * test a call's result against 0 (CA_IR_ZERO_*); the gil catalog says which calls fork.  A
 * function called only from such code (CPython's child_exec) is child-only too, unless its
 * address is taken.  Structural and path-insensitive: a label inside the child region ends it
 * (a goto may come from the parent). */
#include <string.h>

#include "program.h"

#define MAX_DEPTH 512

struct mark {
    struct ca_program *p;
    uint32_t tu;
    const struct ca_tu_facts *f;
};

static bool forks(const struct mark *m, uint32_t call)
{
    return call < m->f->ncalls && m->p->views[m->tu].calls[call].known && m->p->views[m->tu].calls[call].info.forks;
}

static bool zero_test(const struct mark *m, const struct ca_ir_node *n)
{
    return n->kind == CA_IR_BRANCH && (n->flags & (CA_IR_ZERO_ARM0 | CA_IR_ZERO_ARM1 | CA_IR_ZERO_SKIP)) &&
           forks(m, n->ref);
}

/* Can control leave `node` at its end?  Not after return, goto, break, continue or a call that
 * does not return (_exit); a sequence with a label in it can be entered by a goto: yes. */
static bool falls(const struct mark *m, uint32_t node, unsigned depth)
{
    const struct ca_ir_node *n = &m->f->ir[node];
    bool any = false;
    if (depth > MAX_DEPTH) return true;
    switch (n->kind) {
    case CA_IR_RETURN:
    case CA_IR_GOTO:
    case CA_IR_BREAK:
    case CA_IR_CONTINUE: return false;
    case CA_IR_CALL: {
        const struct ca_callsite *cs = &m->p->views[m->tu].calls[n->ref];
        return !(cs->known && cs->info.noreturn);
    }
    case CA_IR_SEQ:
        for (uint32_t c = n->first_child; c != CA_NONE; c = m->f->ir[c].next_sibling)
            if (m->f->ir[c].kind == CA_IR_LABEL) return true;
        for (uint32_t c = n->first_child; c != CA_NONE; c = m->f->ir[c].next_sibling)
            if (!falls(m, c, depth + 1)) return false;
        return true;
    case CA_IR_BRANCH:
        if (n->flags & CA_IR_MAY_SKIP) return true;
        for (uint32_t c = n->first_child; c != CA_NONE; c = m->f->ir[c].next_sibling)
            if (falls(m, c, depth + 1)) any = true;
        return any;
    default: return true;
    }
}

/* Marks the calls and loops of `node` as in the child when `child`. */
static void walk(struct mark *m, uint32_t node, bool child, unsigned depth)
{
    const struct ca_ir_node *n = &m->f->ir[node];
    struct ca_tu_view *v = &m->p->views[m->tu];
    bool cur = child, zero = zero_test(m, n);
    unsigned i = 0;
    if (depth > MAX_DEPTH) return;
    if (n->kind == CA_IR_CALL && child) v->calls[n->ref].in_child = true;
    if (n->kind == CA_IR_LOOP && child && n->ref != CA_NONE) v->loop_child[n->ref] = true;
    for (uint32_t c = n->first_child; c != CA_NONE; c = m->f->ir[c].next_sibling, i++) {
        const struct ca_ir_node *k = &m->f->ir[c];
        if (n->kind == CA_IR_BRANCH) {
            bool in = child || (zero && ((i == 0 && (n->flags & CA_IR_ZERO_ARM0)) || (i == 1 && (n->flags & CA_IR_ZERO_ARM1))));
            walk(m, c, in, depth + 1);
            continue;
        }
        if (n->kind == CA_IR_SEQ && (k->kind == CA_IR_LABEL || k->kind == CA_IR_CASE)) cur = child;
        walk(m, c, cur, depth + 1);
        /* if (pid != 0) return pid;  what follows in the sequence runs where fork() returned 0 */
        if (n->kind == CA_IR_SEQ && zero_test(m, k) && (k->flags & CA_IR_ZERO_SKIP)) {
            bool leave = true;
            for (uint32_t a = k->first_child; a != CA_NONE && leave; a = m->f->ir[a].next_sibling)
                if (falls(m, a, depth + 1)) leave = false;
            if (leave) cur = true;
        }
    }
}

enum ca_status ca_program_mark_fork_children(struct ca_program *p)
{
    bool *taken, *only, changed = true;
    enum ca_status st = CA_OK;

    for (uint32_t t = 0; t < p->ntus; t++) {
        struct mark m = {p, t, &p->tus[t]};
        for (uint32_t i = 0; i < m.f->nfuncs; i++)
            if (m.f->funcs[i].ir_root != CA_NONE) walk(&m, m.f->funcs[i].ir_root, false, 0);
    }
    /* Child-only functions: reached from child code, called (resolved) never from the parent
     * side, and their address never taken (a method table, a callback, a pointer call could
     * reach them). */
    taken = ca_calloc(p->nfns ? p->nfns : 1, sizeof *taken);
    only = ca_calloc(p->nfns ? p->nfns : 1, sizeof *only);
    if (!taken || !only) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    for (uint32_t t = 0; t < p->ntus; t++)
        for (uint32_t r = 0; r < p->tus[t].nfnrefs; r++) {
            uint32_t fn = ca_program_resolve(p, t, p->tus[t].fnrefs[r].name);
            if (fn != CA_NONE) taken[fn] = true;
        }
    /* Reached from child code at all: a function called only by itself is no child's. */
    while (changed) {
        changed = false;
        for (uint32_t t = 0; t < p->ntus; t++)
            for (uint32_t c = 0; c < p->tus[t].ncalls; c++) {
                const struct ca_callsite *cs = &p->views[t].calls[c];
                uint32_t caller = p->views[t].fn_of[p->tus[t].calls[c].func];
                if (!cs->in_child && (caller == CA_NONE || !only[caller])) continue;
                for (uint32_t i = 0; i < ca_ntargets(cs); i++) {
                    uint32_t g = ca_target(p, cs, i);
                    if (!only[g] && !taken[g]) only[g] = changed = true;
                }
            }
    }
    changed = true;
    while (changed) { /* the greatest set: a child-only helper may call another, or itself */
        changed = false;
        for (uint32_t t = 0; t < p->ntus; t++)
            for (uint32_t c = 0; c < p->tus[t].ncalls; c++) {
                const struct ca_callsite *cs = &p->views[t].calls[c];
                uint32_t caller = p->views[t].fn_of[p->tus[t].calls[c].func];
                if (cs->in_child || (caller != CA_NONE && only[caller])) continue;
                for (uint32_t i = 0; i < ca_ntargets(cs); i++)
                    if (only[ca_target(p, cs, i)]) {
                        only[ca_target(p, cs, i)] = false;
                        changed = true;
                    }
            }
    }
    for (uint32_t fn = 0; fn < p->nfns; fn++) {
        const struct ca_fn *g = &p->fns[fn];
        const struct ca_tu_facts *f = &p->tus[g->tu];
        p->fns[fn].child_only = only[fn];
        if (!only[fn]) continue;
        for (uint32_t c = 0; c < f->ncalls; c++)
            if (f->calls[c].func == g->idx) p->views[g->tu].calls[c].in_child = true;
        for (uint32_t l = 0; l < f->nloops; l++)
            if (f->loops[l].func == g->idx) p->views[g->tu].loop_child[l] = true;
    }
out:
    ca_free(taken);
    ca_free(only);
    return st;
}
