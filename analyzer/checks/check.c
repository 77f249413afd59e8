/* check.c: what every check shares: turning a finding into a diagnostic. */
#include "check.h"

#include <stdarg.h>
#include <string.h>

static enum ca_status report(struct ca_check_ctx *c, const char *id, const char *file, const char *function,
                             struct ca_loc loc, const char *fmt, va_list ap)
{
    const struct ca_rule_meta *m = ca_rules_find_meta(c->p->rules, id);
    struct ca_diagnostic d;
    struct ca_buf b;
    enum ca_status st;
    ca_buf_init(&b);
    ca_buf_vprintf(&b, fmt, ap);
    if (b.failed) { ca_buf_fini(&b); return CA_ERR_NOMEM; }
    memset(&d, 0, sizeof d);
    d.rule = id;
    d.severity = CA_SEV_NOTE;
    if (m && m->severity) (void)ca_severity_parse(m->severity, &d.severity);
    d.file = file;
    d.line = loc.line;
    d.col = loc.col;
    d.message = b.data ? b.data : "";
    d.function = function;
    st = ca_results_add_diag(c->out, &d);
    ca_buf_fini(&b);
    return st;
}

enum ca_status ca_check_report(struct ca_check_ctx *c, const char *id, uint32_t tu, uint32_t func, struct ca_loc loc,
                               const char *fmt, ...)
{
    const struct ca_tu_facts *f = &c->p->tus[tu];
    va_list ap;
    enum ca_status st;
    va_start(ap, fmt);
    st = report(c, id, ca_func_file(f, func), func != CA_NONE ? f->funcs[func].name : NULL, loc, fmt, ap);
    va_end(ap);
    return st;
}

enum ca_status ca_check_report_at(struct ca_check_ctx *c, const char *id, const char *file, const char *function,
                                  struct ca_loc loc, const char *fmt, ...)
{
    va_list ap;
    enum ca_status st;
    va_start(ap, fmt);
    st = report(c, id, file, function, loc, fmt, ap);
    va_end(ap);
    return st;
}
