/* engine.c: the thread pool over translation units and the merge.
 * Workers take the next input index from a shared counter, so the work spreads by file; each
 * writes only its own slot of the facts array, so the order of completion does not matter. */
#include "engine.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "front.h"

struct pool {
    const struct ca_input_list *inputs;
    const struct ca_engine_options *o;
    struct ca_tu_facts *tus;
    size_t next, done;
    enum ca_status st;
    pthread_mutex_t mu;
};

unsigned ca_engine_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    struct ca_front *fe = NULL;
    enum ca_status st = ca_front_new(&fe);
    for (;;) {
        size_t i;
        const struct ca_input *in;
        struct ca_front_input fi;
        pthread_mutex_lock(&pl->mu);
        if (st != CA_OK && pl->st == CA_OK) pl->st = st;
        i = pl->st == CA_OK ? pl->next++ : pl->inputs->n;
        pthread_mutex_unlock(&pl->mu);
        if (i >= pl->inputs->n) break;
        in = &pl->inputs->items[i];
        memset(&fi, 0, sizeof fi);
        fi.path = in->path;
        fi.display = in->display;
        fi.args = (const char *const *)in->args;
        fi.nargs = in->nargs;
        if (pl->o->unsaved && pl->o->unsaved_path && strcmp(pl->o->unsaved_path, in->display) == 0) {
            fi.unsaved = pl->o->unsaved;
            fi.unsaved_len = pl->o->unsaved_len;
        }
        if (in->missing && !fi.unsaved) {
            st = ca_facts_init(&pl->tus[i], in->display);
            if (st == CA_OK) pl->tus[i].status = CA_TU_MISSING;
        } else {
            st = ca_front_parse(fe, &fi, &pl->tus[i]);
        }
        pthread_mutex_lock(&pl->mu);
        pl->done++;
        if (pl->o->progress) pl->o->progress(pl->o->progress_ctx, pl->done, pl->inputs->n, in->display);
        pthread_mutex_unlock(&pl->mu);
    }
    ca_front_free(fe);
    return NULL;
}

enum ca_status ca_engine_parse(const struct ca_input_list *inputs, const struct ca_engine_options *o,
                               struct ca_tu_facts **tus)
{
    struct pool pl;
    pthread_t th[64];
    unsigned jobs = o->jobs ? o->jobs : ca_engine_default_jobs(), started = 0;
    memset(&pl, 0, sizeof pl);
    *tus = ca_calloc(inputs->n ? inputs->n : 1, sizeof **tus);
    if (!*tus) return CA_ERR_NOMEM;
    if (jobs > 64) jobs = 64;
    if (jobs > inputs->n) jobs = inputs->n ? (unsigned)inputs->n : 1;
    pl.inputs = inputs;
    pl.o = o;
    pl.tus = *tus;
    pthread_mutex_init(&pl.mu, NULL);
    if (jobs == 1) {
        worker(&pl);
    } else {
        for (; started < jobs; started++)
            if (pthread_create(&th[started], NULL, worker, &pl) != 0) break;
        if (!started) worker(&pl); /* no threads to be had: do the work here */
        for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
    }
    pthread_mutex_destroy(&pl.mu);
    return pl.st;
}

/* Is input i a .c file that another input includes (cffi's call_python.c inside _cffi_backend.c)?
 * Then it is analysed as part of that input, and its own parse (usually failing: it is not meant
 * to compile alone) is not an error.  Compared by real path. */
static bool included_elsewhere(const struct ca_tu_facts *tus, uint32_t ntus, uint32_t i)
{
    char me[PATH_MAX];
    bool any = false;
    for (uint32_t t = 0; t < ntus && !any; t++) any = t != i && tus[t].nincluded_c;
    if (!any || !realpath(tus[i].path, me)) return false;
    for (uint32_t t = 0; t < ntus; t++)
        for (uint32_t k = 0; t != i && k < tus[t].nincluded_c; k++)
            if (strcmp(tus[t].included_c[k], me) == 0) return true;
    return false;
}

enum ca_status ca_engine_analyze(struct ca_tu_facts *tus, uint32_t ntus, const struct ca_rules *rules,
                                 struct ca_results *out)
{
    enum ca_status st = CA_OK;
    for (uint32_t i = 0; i < ntus && st == CA_OK; i++) {
        struct ca_input_result ir;
        struct ca_input_error errs[32];
        memset(&ir, 0, sizeof ir);
        ir.file = tus[i].path;
        ir.state = tus[i].status == CA_TU_OK ? CA_INPUT_OK
                   : tus[i].status == CA_TU_MISSING ? CA_INPUT_MISSING : CA_INPUT_ERROR;
        ir.python = tus[i].python;
        ir.free_threading = !tus[i].python ? CA_FT_NA : tus[i].ft_declared ? CA_FT_DECLARED : CA_FT_NOT_DECLARED;
        if (included_elsewhere(tus, ntus, i)) { /* a .c fragment another input #includes */
            ir.state = CA_INPUT_INCLUDED;
            ir.nerrors = 0;
        }
        ir.nloops = tus[i].nloops;
        for (uint32_t d = 0; d < tus[i].ndiags && d < 32; d++) {
            errs[d].file = tus[i].diags[d].file;
            errs[d].line = tus[i].diags[d].loc.line;
            errs[d].col = tus[i].diags[d].loc.col;
            errs[d].message = tus[i].diags[d].message;
            ir.nerrors++;
        }
        ir.errors = errs;
        st = ca_results_add_input(out, &ir);
    }
    if (st == CA_OK) st = ca_analyze(tus, ntus, rules, out);
    if (st == CA_OK) {
        ca_results_sort(out);
        ca_results_dedupe(out);
    }
    if (st == CA_OK) st = ca_results_fingerprint(out);
    return st;
}
