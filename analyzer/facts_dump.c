/* facts_dump.c: ca_facts_dump(), the one-line-per-fact text form of a translation unit's facts.
 * The format is documented once, in facts.h; this file only implements it.  Used by
 * --dump-facts and by the front-end tests.  Reads facts and writes text: no libclang, no
 * allocation.  It is robust to hand-built facts: a dangling index prints as "?" and is not
 * followed, and an empty or missing name prints as "?" so that every line keeps its fields. */
#include "facts.h"

#include <inttypes.h>

static const char *text(const char *s) { return s && *s ? s : "?"; }

static const char *status_str(enum ca_tu_status s)
{
    switch (s) {
    case CA_TU_OK: return "ok";
    case CA_TU_PARSE_ERROR: return "parse-error";
    case CA_TU_MISSING: return "missing";
    }
    return "?";
}

/* ORDER FNREF */
static const char *fnref_str(enum ca_fnref_ctx c)
{
    static const char *const names[] = {"arg", "init", "assign", "other"};
    return (unsigned)c < 4 ? names[c] : "?";
}

/* ORDER IRKIND */
static const char *ir_str(enum ca_ir_kind k)
{
    static const char *const names[] = {"seq",    "branch", "loop",  "switch",   "case", "call",
                                        "return", "break",  "continue", "goto", "label"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static const char *func_name(const struct ca_tu_facts *f, uint32_t i)
{
    if (i == CA_NONE) return "-";
    return i < f->nfuncs ? text(f->funcs[i].name) : "?";
}

/* " key=#I", " key=-" for CA_NONE. */
static void put_ref(FILE *out, const char *key, uint32_t i)
{
    if (i == CA_NONE)
        fprintf(out, " %s=-", key);
    else
        fprintf(out, " %s=#%" PRIu32, key, i);
}

/* One IR node as an s-expression.  `budget` bounds the work on malformed (cyclic) trees: every
 * node printed costs one, and a well-formed tree never needs more than nir. */
static void dump_ir(FILE *out, const struct ca_tu_facts *f, uint32_t n, uint32_t *budget)
{
    const struct ca_ir_node *node;
    uint32_t c;
    if (n >= f->nir || *budget == 0) {
        fputc('?', out);
        return;
    }
    (*budget)--;
    node = &f->ir[n];
    fprintf(out, "(%s", ir_str(node->kind));
    switch (node->kind) {
    case CA_IR_BRANCH:
        if (node->flags & CA_IR_MAY_SKIP) fputs(" skip", out);
        if (node->flags & (CA_IR_ZERO_ARM0 | CA_IR_ZERO_ARM1 | CA_IR_ZERO_SKIP))
            fprintf(out, " zero-of %s %s", node->ref < f->ncalls ? text(f->calls[node->ref].name) : "?",
                    node->flags & CA_IR_ZERO_ARM0 ? "arm0" : node->flags & CA_IR_ZERO_ARM1 ? "arm1" : "skip");
        break;
    case CA_IR_LOOP: /* a run-once do { } while (0) has no loop index */
        if (node->ref == CA_NONE) fputs(" once", out);
        else fprintf(out, " #%" PRIu32, node->ref);
        if (node->flags & CA_IR_TEST_FIRST) fputs(" test-first", out);
        break;
    case CA_IR_CASE:
        if (node->flags & CA_IR_DEFAULT) fputs(" default", out);
        break;
    case CA_IR_CALL:
        fprintf(out, " %s", node->ref < f->ncalls ? text(f->calls[node->ref].name) : "?");
        break;
    case CA_IR_GOTO: /* a computed goto has no label */
        fprintf(out, " %s", node->label ? node->label : "*");
        break;
    case CA_IR_LABEL:
        fprintf(out, " %s", text(node->label));
        break;
    default:
        break;
    }
    for (c = node->first_child; c != CA_NONE && *budget; c = c < f->nir ? f->ir[c].next_sibling : CA_NONE) {
        fputc(' ', out);
        dump_ir(out, f, c, budget);
    }
    fputc(')', out);
}

static void put_loc(FILE *out, struct ca_loc l) { fprintf(out, "%" PRIu32 ":%" PRIu32, l.line, l.col); }

void ca_facts_dump(FILE *out, const struct ca_tu_facts *f)
{
    uint32_t i;
    fprintf(out, "tu %s status=%s python=%d ft=%d\n", text(f->path), status_str(f->status), f->python ? 1 : 0,
            f->ft_declared ? 1 : 0);
    for (i = 0; i < f->nincluded_c; i++) fprintf(out, "include-c %s\n", text(f->included_c[i]));
    for (i = 0; i < f->nfuncs; i++) {
        const struct ca_fact_func *fn = &f->funcs[i];
        fprintf(out, "func %s ", text(fn->name));
        put_loc(out, fn->loc);
        fprintf(out, "-%" PRIu32 " static=%d params=%" PRIu32, fn->end.line, fn->is_static ? 1 : 0, fn->nparams);
        if (fn->file) fprintf(out, " file=%s", text(fn->file));
        fputc('\n', out);
    }
    for (i = 0; i < f->nloops; i++) {
        const struct ca_fact_loop *l = &f->loops[i];
        fprintf(out, "loop #%" PRIu32 " %s ", i, ca_loop_kind_str(l->kind));
        put_loc(out, l->loc);
        fprintf(out, "-%" PRIu32 " func=%s", l->end_line, func_name(f, l->func));
        if (l->parent == CA_NONE)
            fputs(" parent=-", out);
        else
            fprintf(out, " parent=#%" PRIu32, l->parent);
        fprintf(out, " depth=%" PRIu32 " bound=%s trip=%" PRId64 " ops=%" PRIu32 "\n", l->depth,
                ca_bound_str(l->bound), l->trip, l->ops);
    }
    for (i = 0; i < f->ncalls; i++) {
        const struct ca_fact_call *c = &f->calls[i];
        fputs("call ", out);
        put_loc(out, c->loc);
        fprintf(out, " %s func=%s", text(c->name), func_name(f, c->func));
        put_ref(out, "loop", c->loop);
        if (c->flags & CA_CALL_INDIRECT) fputs(" indirect", out);
        if (c->flags & CA_CALL_PYDECL) fputs(" pydecl", out);
        if (c->flags & CA_CALL_STDSTREAM) fputs(" stdstream", out);
        if (c->macro) fprintf(out, " macro=%s", text(c->macro));
        if (c->field) fprintf(out, " field=%s", text(c->field));
        fprintf(out, " args=%" PRIu32, c->nargs);
        if (c->fptype) fprintf(out, " fptype=%s", text(c->fptype));
        fputc('\n', out);
    }
    for (i = 0; i < f->nmacros; i++) {
        const struct ca_fact_macro *m = &f->macros[i];
        fputs("macro ", out);
        put_loc(out, m->loc);
        fprintf(out, " %s func=%s", text(m->name), func_name(f, m->func));
        put_ref(out, "loop", m->loop);
        fputc('\n', out);
    }
    for (i = 0; i < f->nwrites; i++) {
        const struct ca_fact_write *w = &f->writes[i];
        fputs("write ", out);
        put_loc(out, w->loc);
        fprintf(out, " %s func=%s", text(w->name), func_name(f, w->func));
        put_ref(out, "loop", w->loop);
        fputs(w->is_static_local ? " static-local\n" : "\n", out);
    }
    for (i = 0; i < f->nfnrefs; i++) {
        const struct ca_fact_fnref *r = &f->fnrefs[i];
        fputs("fnref ", out);
        put_loc(out, r->loc);
        fprintf(out, " %s ctx=%s", text(r->name), fnref_str(r->ctx));
        if (r->func != CA_NONE) fprintf(out, " func=%s", func_name(f, r->func));
        if (r->ctx == CA_FNREF_ARG) {
            if (r->call < f->ncalls) {
                fputs(" call=", out);
                put_loc(out, f->calls[r->call].loc);
                fprintf(out, " %s", text(f->calls[r->call].name));
            } else {
                fputs(" call=? ?", out);
            }
            fprintf(out, " arg=%" PRIu32, r->arg);
        }
        if (r->field) fprintf(out, " field=%s", text(r->field));
        if (r->holder_type) fprintf(out, " holder=%s", text(r->holder_type));
        if (r->fntype) fprintf(out, " fntype=%s", text(r->fntype));
        fputc('\n', out);
    }
    for (i = 0; i < f->nglobals; i++) {
        const struct ca_fact_global *g = &f->globals[i];
        fputs("global ", out);
        put_loc(out, g->loc);
        fprintf(out, " %s", text(g->name));
        if (g->is_static) fputs(" static", out);
        if (g->is_const) fputs(" const", out);
        if (g->pyobject) fputs(" pyobject", out);
        if (g->func != CA_NONE) fprintf(out, " func=%s", func_name(f, g->func));
        if (g->file) fprintf(out, " file=%s", text(g->file));
        fputc('\n', out);
    }
    for (i = 0; i < f->nfuncs; i++) {
        uint32_t budget = f->nir;
        if (f->funcs[i].ir_root == CA_NONE) continue;
        fprintf(out, "ir %s: ", text(f->funcs[i].name));
        dump_ir(out, f, f->funcs[i].ir_root, &budget);
        fputc('\n', out);
    }
    for (i = 0; i < f->ndiags; i++) {
        const struct ca_fact_diag *d = &f->diags[i];
        fprintf(out, "diag %s:", text(d->file));
        put_loc(out, d->loc);
        fprintf(out, " %s\n", text(d->message));
    }
}
