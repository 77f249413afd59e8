/* ft-static-pyobject-state: a mutable global or static variable holding Python objects that is
 * written after module initialisation (by a function other than PyInit_* / module exec slots).
 * With the GIL, those writes are serialised; on a free-threaded build (PEP 703) two threads
 * writing it race (a lost reference, a double free).  It is also state shared by every
 * sub-interpreter.  Reported once per variable, at its definition, naming a function that
 * writes it.  Variables only written during initialisation (caches filled once) stay quiet. */
#include "check.h"

#include <string.h>

enum ca_status ca_check_ft_static_pyobject_state(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        if (!f->python) continue;
        for (uint32_t g = 0; g < f->nglobals && st == CA_OK; g++) {
            const struct ca_fact_global *gv = &f->globals[g];
            const struct ca_fact_write *w = NULL;
            if (!gv->pyobject || gv->is_const) continue;
            for (uint32_t k = 0; k < f->nwrites && !w; k++) {
                const struct ca_fact_write *fw = &f->writes[k];
                const char *fn = f->funcs[fw->func].name;
                uint32_t id = c->p->views[t].fn_of[fw->func];
                if (strcmp(fw->name, gv->name) != 0) continue;
                if (gv->is_static_local && fw->func != gv->func) continue;
                if (ca_rules_is_entry_func(c->p->rules, fn)) continue; /* module init */
                if (id != CA_NONE && c->p->fns[id].entry == 0) continue;
                w = fw;
            }
            if (!w) continue;
            st = ca_check_report_at(
                c, "ft-static-pyobject-state", gv->file ? gv->file : f->path,
                gv->is_static_local ? f->funcs[gv->func].name : NULL, gv->loc,
                "%s holds Python objects in %s state that %s() writes at run time: on a free-threaded build "
                "concurrent writes race (and every sub-interpreter shares it); move it to module state "
                "(PyModule_GetState) or guard it (Py_BEGIN_CRITICAL_SECTION, a PyMutex)",
                gv->name, gv->is_static_local ? "static local" : "global", f->funcs[w->func].name);
        }
    }
    return st;
}
