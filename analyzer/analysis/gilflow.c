/* gilflow.c: abstract interpretation of one function body (its IR) over GIL states.
 * The state is a set of (cur, saved) configurations (program.h).  Structured control flow is
 * interpreted directly: branches join, loops iterate to a fixpoint, break/continue/return/goto
 * carry their state to their target, and the whole body is re-run while goto targets grow.
 * Calls apply GIL primitives from the catalog or the callee's summary; everything else is
 * neutral.  Does not decide anything about loops or diagnostics: it records, others judge. */
#include <string.h>

#include "program.h"

#define ALL_SAVED(cur) ((((ca_gstate)1u << CA_NSAVED) - 1) << ((cur) * CA_NSAVED))

/* Break/continue targets, innermost last. */
struct target {
    bool is_loop;
    ca_gstate brk, cont, entry; /* entry: the switch's state at `case` labels */
};

#define MAX_NEST 256
#define MAX_LABELS 128

struct run {
    struct ca_program *p;
    uint32_t tu;
    const struct ca_tu_facts *f;
    struct ca_flow_rec *rec;
    struct target tg[MAX_NEST];
    unsigned ntg;
    uint32_t loops[MAX_NEST]; /* active loops (for recording seen states) */
    unsigned nloops;
    const char *label_name[MAX_LABELS];
    ca_gstate label_state[MAX_LABELS];
    unsigned nlabels;
    bool labels_grew;
};

static int label_slot(struct run *r, const char *name)
{
    for (unsigned i = 0; i < r->nlabels; i++)
        if (strcmp(r->label_name[i], name) == 0) return (int)i;
    if (r->nlabels == MAX_LABELS) return -1;
    r->label_name[r->nlabels] = name;
    r->label_state[r->nlabels] = 0;
    return (int)r->nlabels++;
}

/* Record `s` as seen inside every active loop and in the summary. */
static void see(struct run *r, ca_gstate s, ca_curs extra)
{
    ca_curs c = ca_gstate_curs(s) | extra;
    if (r->rec->sum) r->rec->sum->seen |= c;
    if (r->rec->view)
        for (unsigned i = 0; i < r->nloops; i++) r->rec->view->loop_seen[r->loops[i]] |= c;
}

static void add_find(struct ca_program *p, enum ca_gil_find kind, uint32_t tu, uint32_t func, struct ca_loc loc,
                     const char *name)
{
    struct ca_gil_finding fd = {kind, tu, func, loc, name};
    enum ca_status st;
    uint32_t n = p->nfinds;
    for (uint32_t i = 0; i < n; i++) /* one finding per place */
        if (p->finds[i].kind == kind && p->finds[i].tu == tu && p->finds[i].loc.line == loc.line &&
            p->finds[i].loc.col == loc.col)
            return;
    {
        size_t cnt = p->nfinds;
        CA_PUSH(st, p->finds, cnt, p->finds_cap, fd);
        if (st == CA_OK) p->nfinds = (uint32_t)cnt;
    }
}

/* Apply a GIL primitive to every configuration.  Releasing a released GIL (a fatal error in
 * CPython) enters the nested state, which the matching acquire leaves; acquiring a held GIL (a
 * deadlock) changes nothing.  *nested is set only when every path reaching the call is in the
 * bad state: a mistake on some paths only usually means correlated conditions that this
 * path-insensitive analysis cannot see (ctypes: `if (!api) Py_UNBLOCK_THREADS ... if (!api)
 * Py_BLOCK_THREADS`), and then it stays quiet rather than guess. */
static ca_gstate apply_primitive(enum ca_gil_effect fx, ca_gstate in, bool *nested)
{
    ca_gstate out = 0;
    bool all_bad = true, any = false;
    for (unsigned cur = 0; cur < CA_NSTATES; cur++)
        for (unsigned sv = 0; sv < CA_NSAVED; sv++) {
            bool released = cur == CA_CUR_RELEASED || cur == CA_CUR_NESTED;
            if (!(in & CA_CFG(cur, sv))) continue;
            any = true;
            switch (fx) {
            case CA_GILFX_RELEASE:
                if (!released) all_bad = false;
                out |= CA_CFG(released ? CA_CUR_NESTED : CA_CUR_RELEASED, sv);
                break;
            case CA_GILFX_ACQUIRE:
                if (cur != CA_CUR_HELD) all_bad = false;
                out |= CA_CFG(cur == CA_CUR_NESTED ? CA_CUR_RELEASED : CA_CUR_HELD, sv);
                break;
            case CA_GILFX_ENSURE: /* remembers the state before; nested pairs keep the innermost */
                out |= CA_CFG(CA_CUR_HELD, cur + 1);
                break;
            case CA_GILFX_ENSURE_RELEASE: /* without a visible Ensure the restored state is unknown */
                out |= sv == CA_SAVED_NONE ? CA_CFG(CA_CUR_UNKNOWN, CA_SAVED_NONE) : CA_CFG(sv - 1, CA_SAVED_NONE);
                break;
            case CA_GILFX_NONE:
                out |= CA_CFG(cur, sv);
                break;
            }
        }
    *nested = any && all_bad && (fx == CA_GILFX_RELEASE || fx == CA_GILFX_ACQUIRE);
    return out;
}

static void set_ev(uint32_t *ev, uint32_t gid)
{
    if (*ev == CA_NONE) *ev = gid; /* the first witness found in IR order; stable for a given input */
}

/* sum += the effects e of the call `gid` (witnesses: the first such call). */
static void add_effects(struct ca_fn_sum *sum, const struct ca_fn_sum *e, uint32_t gid)
{
    sum->io |= e->io;
    sum->io_unbounded |= e->io_unbounded;
    sum->cpu |= e->cpu;
    sum->api |= e->api;
    sum->unknown |= e->unknown;
    if (e->io) set_ev(&sum->io_ev, gid);
    if (e->cpu) set_ev(&sum->cpu_ev, gid);
    if (e->api) set_ev(&sum->api_ev, gid);
}

void ca_flow_callee_effects(const struct ca_program *p, const struct ca_callsite *cs, ca_curs curs,
                            struct ca_fn_sum *out)
{
    /* Several definitions: the effects are all of theirs for a name defined several times, and
     * only those every candidate has for a call through a pointer (one I/O-doing candidate among
     * many CPU ones does not make the call I/O).  Their GIL exits always join (apply_call). */
    bool meet = cs->via_pointer && ca_ntargets(cs) > 1;
    memset(out, 0, sizeof *out);
    out->io_ev = out->cpu_ev = out->api_ev = CA_NONE;
    if (meet) out->io = out->io_unbounded = out->cpu = out->api = out->unknown = (1u << CA_NCUR) - 1;
    for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
        struct ca_fn_sum one;
        memset(&one, 0, sizeof one);
        for (unsigned cur = 0; cur < CA_NCUR; cur++) {
            const struct ca_fn_sum *g = &p->fns[ca_target(p, cs, ti)].sum[cur];
            if (!(curs & (1u << cur))) continue;
            one.io |= g->io;
            one.io_unbounded |= g->io_unbounded;
            one.cpu |= g->cpu;
            one.api |= g->api;
            one.unknown |= g->unknown;
            out->seen |= g->seen;
        }
        if (meet) {
            out->io &= one.io; out->io_unbounded &= one.io_unbounded; out->cpu &= one.cpu;
            out->api &= one.api; out->unknown &= one.unknown;
        } else {
            out->io |= one.io; out->io_unbounded |= one.io_unbounded; out->cpu |= one.cpu;
            out->api |= one.api; out->unknown |= one.unknown;
        }
    }
}

ca_gstate ca_flow_apply_call(struct ca_program *p, uint32_t tu, uint32_t call, ca_gstate in,
                             struct ca_fn_sum *sum, bool finds)
{
    const struct ca_callsite *cs = &p->views[tu].calls[call];
    const struct ca_fact_call *fc = &p->tus[tu].calls[call];
    uint32_t gid = p->call_base[tu] + call;
    ca_curs curs = ca_gstate_curs(in);
    ca_gstate out = 0;
    if (!in) return 0;
    for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
        const struct ca_fn *g = &p->fns[ca_target(p, cs, ti)];
        for (unsigned cur = 0; cur < CA_NSTATES; cur++) {
            const struct ca_fn_sum *gs = &g->sum[cur == CA_CUR_NESTED ? CA_CUR_RELEASED : cur];
            for (unsigned sv = 0; sv < CA_NSAVED; sv++) {
                if (!(in & CA_CFG(cur, sv))) continue;
                for (unsigned x = 0; x < CA_NCUR; x++) /* a nested region stays nested across a callee */
                    if (gs->exit & (1u << x)) out |= CA_CFG(cur == CA_CUR_NESTED && x == CA_CUR_RELEASED ? CA_CUR_NESTED : x, sv);
            }
        }
    }
    if (sum && cs->target != CA_NONE) {
        struct ca_fn_sum e;
        ca_flow_callee_effects(p, cs, curs, &e);
        sum->seen |= e.seen;
        add_effects(sum, &e, gid);
    }
    if (cs->target != CA_NONE) return out;
    if (sum) {
        /* console output (printf, perror) is how error paths report: not the callers' work */
        if (cs->info.io != CA_IO_NONE && cs->info.io != CA_IO_CONSOLE) { sum->io |= curs; set_ev(&sum->io_ev, gid); }
        if (cs->info.io_unbounded) sum->io_unbounded |= curs;
        if (cs->info.cpu_weight) { sum->cpu |= curs; set_ev(&sum->cpu_ev, gid); }
        if (cs->api) { sum->api |= curs; set_ev(&sum->api_ev, gid); }
        if (cs->unknown) sum->unknown |= curs;
    }
    if (cs->info.noreturn) return 0;
    if (cs->known && cs->info.gil != CA_GILFX_NONE) {
        bool nested;
        out = apply_primitive(cs->info.gil, in, &nested);
        if (nested && finds)
            add_find(p, cs->info.gil == CA_GILFX_RELEASE ? CA_FIND_NESTED_RELEASE : CA_FIND_NESTED_ACQUIRE, tu,
                     fc->func, fc->loc, fc->name);
        return out;
    }
    return in;
}

static ca_gstate exec(struct run *r, uint32_t node, ca_gstate in);

static ca_gstate exec_children(struct run *r, uint32_t node, ca_gstate in)
{
    for (uint32_t c = r->f->ir[node].first_child; c != CA_NONE; c = r->f->ir[c].next_sibling) in = exec(r, c, in);
    return in;
}

static uint32_t nth_child(const struct ca_tu_facts *f, uint32_t node, unsigned n)
{
    uint32_t c = f->ir[node].first_child;
    while (c != CA_NONE && n--) c = f->ir[c].next_sibling;
    return c;
}

static ca_gstate exec_loop(struct run *r, uint32_t node, ca_gstate in)
{
    const struct ca_ir_node *n = &r->f->ir[node];
    uint32_t loop = n->ref;
    bool test_first = n->flags & CA_IR_TEST_FIRST;
    bool infinite = loop != CA_NONE && r->f->loops[loop].bound == CA_BOUND_INFINITE;
    ca_gstate head = in, exits = 0, brk = 0;
    uint32_t c0 = nth_child(r->f, node, 0), c1 = nth_child(r->f, node, 1), c2 = nth_child(r->f, node, 2);
    if (r->ntg == MAX_NEST || r->nloops == MAX_NEST) return in; /* absurd nesting: stay neutral */
    if (loop != CA_NONE) r->loops[r->nloops++] = loop;
    for (;;) {
        ca_gstate m, next;
        struct target *t = &r->tg[r->ntg++];
        memset(t, 0, sizeof *t);
        t->is_loop = true;
        if (loop != CA_NONE && r->rec->view) r->rec->view->loop_head[loop] |= head;
        see(r, head, 0);
        if (test_first) { /* cond, body, inc */
            m = c0 != CA_NONE ? exec(r, c0, head) : head;
            if (!infinite) exits |= m;
            m = c1 != CA_NONE ? exec(r, c1, m) : m;
            m |= t->cont;
            m = c2 != CA_NONE ? exec(r, c2, m) : m;
        } else { /* do: body, cond */
            m = c0 != CA_NONE ? exec(r, c0, head) : head;
            m |= t->cont;
            m = c1 != CA_NONE ? exec(r, c1, m) : m;
            if (!infinite) exits |= m;
        }
        brk |= t->brk;
        r->ntg--;
        if (loop == CA_NONE) { /* do { } while (0): runs once, no back edge */
            if (!test_first) exits = m;
            break;
        }
        next = head | m;
        if (next == head) break;
        head = next;
    }
    if (loop != CA_NONE) r->nloops--;
    return exits | brk;
}

static bool has_default(const struct ca_tu_facts *f, uint32_t body)
{
    for (uint32_t c = body == CA_NONE ? CA_NONE : f->ir[body].first_child; c != CA_NONE; c = f->ir[c].next_sibling)
        if (f->ir[c].kind == CA_IR_CASE && (f->ir[c].flags & CA_IR_DEFAULT)) return true;
    return false;
}

static ca_gstate exec(struct run *r, uint32_t node, ca_gstate in)
{
    const struct ca_ir_node *n = &r->f->ir[node];
    switch (n->kind) {
    case CA_IR_SEQ:
        return exec_children(r, node, in);
    case CA_IR_BRANCH: {
        ca_gstate out = (n->flags & CA_IR_MAY_SKIP) ? in : 0;
        for (uint32_t c = n->first_child; c != CA_NONE; c = r->f->ir[c].next_sibling) out |= exec(r, c, in);
        return out;
    }
    case CA_IR_LOOP:
        return exec_loop(r, node, in);
    case CA_IR_SWITCH: {
        uint32_t cond = nth_child(r->f, node, 0), body = nth_child(r->f, node, 1);
        ca_gstate m = cond != CA_NONE ? exec(r, cond, in) : in, out;
        struct target *t;
        if (r->ntg == MAX_NEST) return m;
        t = &r->tg[r->ntg++];
        memset(t, 0, sizeof *t);
        t->entry = m;
        out = body != CA_NONE ? exec(r, body, 0) : 0; /* code before the first case is unreachable */
        out |= t->brk;
        r->ntg--;
        if (!has_default(r->f, body)) out |= m;
        return out;
    }
    case CA_IR_CASE:
        for (unsigned i = r->ntg; i-- > 0;)
            if (!r->tg[i].is_loop) return in | r->tg[i].entry;
        return in;
    case CA_IR_CALL: {
        ca_gstate before = exec_children(r, node, in), after;
        if (n->ref == CA_NONE) return before;
        after = ca_flow_apply_call(r->p, r->tu, n->ref, before, r->rec->sum, r->rec->prog != NULL);
        if (r->rec->view) {
            r->rec->view->before[n->ref] |= before;
            r->rec->view->after[n->ref] |= after;
        }
        {
            const struct ca_callsite *cs = &r->p->views[r->tu].calls[n->ref];
            ca_curs inner = 0;
            for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++)
                for (unsigned cur = 0; cur < CA_NCUR; cur++)
                    if (ca_gstate_curs(before) & (1u << cur)) inner |= r->p->fns[ca_target(r->p, cs, ti)].sum[cur].seen;
            see(r, before | after, inner);
        }
        return after;
    }
    case CA_IR_RETURN: {
        ca_gstate m = exec_children(r, node, in);
        r->rec->exit |= m;
        if (r->rec->ret_states) r->rec->ret_states[node] |= m;
        return 0;
    }
    case CA_IR_BREAK:
        if (r->ntg) r->tg[r->ntg - 1].brk |= in;
        return 0;
    case CA_IR_CONTINUE:
        for (unsigned i = r->ntg; i-- > 0;)
            if (r->tg[i].is_loop) { r->tg[i].cont |= in; break; }
        return 0;
    case CA_IR_GOTO: {
        if (!n->label) { /* computed goto: any label may be the target */
            for (unsigned i = 0; i < r->nlabels; i++)
                if ((r->label_state[i] | in) != r->label_state[i]) { r->label_state[i] |= in; r->labels_grew = true; }
            return 0;
        }
        int s = label_slot(r, n->label);
        if (s >= 0 && (r->label_state[s] | in) != r->label_state[s]) {
            r->label_state[s] |= in;
            r->labels_grew = true;
        }
        return 0;
    }
    case CA_IR_LABEL: {
        int s = n->label ? label_slot(r, n->label) : -1;
        return s >= 0 ? in | r->label_state[s] : in;
    }
    }
    return in;
}

enum ca_status ca_flow_run(struct ca_program *p, uint32_t tu, uint32_t func, ca_gstate entry,
                           struct ca_flow_rec *rec)
{
    struct run *r = ca_calloc(1, sizeof *r);
    const struct ca_fact_func *fn = &p->tus[tu].funcs[func];
    unsigned rounds = 0;
    if (!r) return CA_ERR_NOMEM;
    r->p = p;
    r->tu = tu;
    r->f = &p->tus[tu];
    r->rec = rec;
    if (fn->ir_root != CA_NONE) {
        /* Pre-register labels so that a backward goto finds its slot in the first round. */
        do {
            ca_gstate end;
            r->labels_grew = false;
            r->ntg = r->nloops = 0;
            end = exec(r, fn->ir_root, entry);
            rec->exit |= end;
            if (rec->ret_states && fn->ir_root < r->f->nir) rec->ret_states[fn->ir_root] |= end;
        } while (r->labels_grew && ++rounds < 64);
    }
    ca_free(r);
    return CA_OK;
}
