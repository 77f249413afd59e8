/* check.c: what every check shares: turning a finding into a diagnostic. */
#include "check.h"

#include <stdarg.h>
#include <string.h>

enum ca_status ca_check_report(struct ca_check_ctx *c, const char *id, uint32_t tu, uint32_t func, struct ca_loc loc,
                               const char *fmt, ...)
{
    const struct ca_rule_meta *m = ca_rules_find_meta(c->p->rules, id);
    struct ca_diagnostic d;
    struct ca_buf b;
    va_list ap;
    enum ca_status st;
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (b.failed) { ca_buf_fini(&b); return CA_ERR_NOMEM; }
    memset(&d, 0, sizeof d);
    d.rule = id;
    d.severity = CA_SEV_NOTE;
    if (m && m->severity) (void)ca_severity_parse(m->severity, &d.severity);
    d.file = ca_func_file(&c->p->tus[tu], func);
    d.line = loc.line;
    d.col = loc.col;
    d.message = b.data ? b.data : "";
    d.function = func != CA_NONE ? c->p->tus[tu].funcs[func].name : NULL;
    st = ca_results_add_diag(c->out, &d);
    ca_buf_fini(&b);
    return st;
}
