/* engine.c: the thread pool over translation units and the merge.
 * Workers take the next input index from a shared counter, so the work spreads by file; each
 * writes only its own slot of the facts array, so the order of completion does not matter. */
#include "engine.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "engine_pch.h"
#include "front.h"

struct pool {
    const struct ca_input_list *inputs;
    const struct ca_engine_options *o;
    struct ca_tu_facts *tus;
    size_t next, done;
    enum ca_status st;
    pthread_mutex_t mu;
    int64_t started_ns;          /* before any parse: files modified later are not cached */
    struct ca_engine_stats stats;
    char **texts;                /* [n] the main files' texts (NULL: missing, unreadable, not needed) */
    size_t *lens;
    bool *owned;                 /* texts[i] is ours to free (not the editor buffer) */
    uint32_t *groups;            /* [n] PCH group of each input, UINT32_MAX: none */
    struct pch_set pch;
};

unsigned ca_engine_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* May these facts be reused while the file and its deps are unchanged?  Clang's errors too (an
 * #error, a syntax error, a header not found: see still_missing), but not libclang's own
 * failures. */
static bool cacheable(const struct ca_tu_facts *f)
{
    if (f->status == CA_TU_OK) return true;
    if (f->status != CA_TU_PARSE_ERROR || !f->ndiags) return false;
    for (uint32_t i = 0; i < f->ndiags; i++)
        if (strncmp(f->diags[i].message, "libclang ", 9) == 0) return false; /* could not parse, crashed */
    return true;
}

static void add_candidate(struct ca_buf *out, size_t *n, const char *dir, size_t ndir, const char *name, size_t nname)
{
    ca_buf_putn(out, dir, ndir);
    ca_buf_putc(out, '/');
    ca_buf_putn(out, name, nname);
    ca_buf_putc(out, '\0');
    (*n)++;
}

/* ca_input_include_dirs' callback: one candidate in each search directory. */
struct candidates {
    struct ca_buf *out;
    size_t *n;
    const char *name;
    size_t nname;
};

static void add_in_dir(const char *dir, void *ctx)
{
    struct candidates *c = ctx;
    add_candidate(c->out, c->n, dir, strlen(dir), c->name, c->nname);
}

size_t ca_engine_absent_paths(const struct ca_tu_facts *f, const struct ca_input *in, struct ca_buf *out)
{
    static const char *const sys[] = {"/usr/local/include", "/usr/include", "/usr/include/x86_64-linux-gnu",
                                      "/usr/include/aarch64-linux-gnu"};
    size_t n = 0;
    for (uint32_t i = 0; i < f->ndiags; i++) {
        const char *m = f->diags[i].message, *q, *slash;
        size_t nname;
        if (m[0] != '\'' || !(q = strstr(m + 1, "' file not found"))) continue;
        nname = (size_t)(q - m - 1);
        if ((slash = strrchr(f->diags[i].file, '/')))
            add_candidate(out, &n, f->diags[i].file, (size_t)(slash - f->diags[i].file), m + 1, nname);
        slash = strrchr(in->path, '/');
        add_candidate(out, &n, slash ? in->path : ".", slash ? (size_t)(slash - in->path) : 1, m + 1, nname);
        for (size_t k = 0; k < sizeof sys / sizeof *sys; k++) add_candidate(out, &n, sys[k], strlen(sys[k]), m + 1, nname);
        {
            struct candidates c = {out, &n, m + 1, nname};
            ca_input_include_dirs(in, add_in_dir, &c);
        }
    }
    return n;
}

bool ca_engine_all_absent(const char *paths, size_t n)
{
    for (size_t i = 0; i < n; i++, paths += strlen(paths) + 1) {
        struct stat sb;
        if (stat(paths, &sb) == 0) return false;
    }
    return true;
}

/* A cached TU that failed because a header was not found: still valid while that header is
 * still absent from every place an #include could find it (ca_engine_absent_paths). */
static bool still_missing(const struct ca_tu_facts *f, const struct ca_input *in)
{
    struct ca_buf b;
    size_t n;
    bool absent;
    ca_buf_init(&b);
    n = ca_engine_absent_paths(f, in, &b);
    absent = !b.failed && ca_engine_all_absent(b.data, n);
    ca_buf_fini(&b);
    return absent;
}

/* One input: from the cache when it has it, else parsed (with its group's precompiled preamble
 * when there is one) and then stored. */
static enum ca_status parse_one(struct pool *pl, struct ca_front *fe, size_t i, const struct ca_front_input *fi,
                                struct ca_tu_facts *out)
{
    const struct ca_input *in = &pl->inputs->items[i];
    struct ca_cache *cache = pl->texts[i] ? pl->o->cache : NULL; /* unreadable now: the front end says so */
    const struct pch_group *g = NULL;
    struct ca_front_input with = *fi;
    struct ca_hash key = {0, 0};
    bool hit = false, used = false;
    enum ca_status st = CA_OK;
    if (cache) {
        key = ca_cache_key(cache, in->display, in->path, (const char *const *)in->args, in->nargs, pl->texts[i],
                           pl->lens[i]);
        if ((st = ca_cache_get(cache, key, out, &hit)) != CA_OK) goto out;
        if (hit && (out->status == CA_TU_OK || still_missing(out, in))) goto out;
        hit = false;
        ca_facts_fini(out);
    }
    /* A PCH pays for itself from the second file that uses it; for a file alone in its group,
     * only in an editor, which re-analyses the same file again and again (it is kept in the
     * cache directory). */
    if (pl->groups[i] != UINT32_MAX &&
        (pl->pch.groups[pl->groups[i]].members >= 2 || (pl->pch.persistent && fi->unsaved)))
        g = pch_set_get(&pl->pch, pl->groups[i], fe, in, pl->texts[i], pl->lens[i]);
    if (g) {
        with.pch = g->pch;
        with.pch_info = &g->info;
        with.pch_used = &used;
    }
    st = ca_front_parse(fe, &with, out);
    if (st == CA_OK && cache && !fi->unsaved && cacheable(out)) st = ca_cache_put(cache, key, in->path, out, pl->started_ns);
out:
    pthread_mutex_lock(&pl->mu);
    if (hit) pl->stats.cached++;
    else pl->stats.parsed++;
    if (g && used) pl->stats.pch_parsed++;
    pthread_mutex_unlock(&pl->mu);
    if (pl->owned[i]) ca_free(pl->texts[i]);
    pl->texts[i] = NULL;
    return st;
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
            st = parse_one(pl, fe, i, &fi, &pl->tus[i]);
        }
        pthread_mutex_lock(&pl->mu);
        pl->done++;
        if (pl->o->progress) pl->o->progress(pl->o->progress_ctx, pl->done, pl->inputs->n, in->display);
        pthread_mutex_unlock(&pl->mu);
    }
    ca_front_free(fe);
    return NULL;
}

/* Before the workers start: the texts of the main files (the cache keys on them; the PCH groups
 * on their preambles), and the groups. */
static enum ca_status prepare(struct pool *pl)
{
    const struct ca_engine_options *o = pl->o;
    size_t n = pl->inputs->n ? pl->inputs->n : 1;
    char *id = NULL, cwd[PATH_MAX];
    enum ca_status st = CA_OK;
    if (!(pl->texts = ca_calloc(n, sizeof *pl->texts)) || !(pl->lens = ca_calloc(n, sizeof *pl->lens)) ||
        !(pl->owned = ca_calloc(n, sizeof *pl->owned)) || !(pl->groups = ca_calloc(n, sizeof *pl->groups)))
        return CA_ERR_NOMEM;
    for (size_t i = 0; i < pl->inputs->n; i++) pl->groups[i] = UINT32_MAX;
    if ((st = pch_set_init(&pl->pch, !o->no_pch && o->cache ? ca_cache_dir(o->cache) : NULL)) != CA_OK) return st;
    if (!o->cache && o->no_pch) return CA_OK;
    if (!o->no_pch) {
        struct ca_buf b;
        ca_buf_init(&b);
        /* the working directory too: a relative -I resolves against it, the PCH stores it resolved */
        ca_buf_printf(&b, "%s %s", o->tool_id ? o->tool_id : ca_front_id(), getcwd(cwd, sizeof cwd) ? cwd : "");
        if (!(id = ca_buf_take(&b))) st = CA_ERR_NOMEM;
    }
    for (size_t i = 0; i < pl->inputs->n && st == CA_OK; i++) {
        const struct ca_input *in = &pl->inputs->items[i];
        if (o->unsaved && o->unsaved_path && strcmp(o->unsaved_path, in->display) == 0) {
            pl->texts[i] = (char *)o->unsaved;
            pl->lens[i] = o->unsaved_len;
        } else if (!in->missing) {
            st = ca_file_read(in->path, &pl->texts[i], &pl->lens[i]);
            if (st != CA_ERR_NOMEM) st = CA_OK; /* unreadable: the front end reports it */
            pl->owned[i] = pl->texts[i] != NULL;
        }
        if (st == CA_OK && id && pl->texts[i]) st = pch_set_add(&pl->pch, in, pl->texts[i], pl->lens[i], id, &pl->groups[i]);
    }
    ca_free(id);
    return st;
}

static void pool_fini(struct pool *pl)
{
    for (size_t i = 0; pl->texts && i < pl->inputs->n; i++)
        if (pl->owned[i]) ca_free(pl->texts[i]);
    ca_free(pl->texts);
    ca_free(pl->lens);
    ca_free(pl->owned);
    ca_free(pl->groups);
    pch_set_fini(&pl->pch);
}

enum ca_status ca_engine_parse(const struct ca_input_list *inputs, const struct ca_engine_options *o,
                               struct ca_tu_facts **tus, struct ca_engine_stats *stats)
{
    struct pool pl;
    struct timespec t0, t1;
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
    pl.started_ns = ca_cache_now_ns();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_init(&pl.mu, NULL);
    if ((pl.st = prepare(&pl)) != CA_OK) {
        /* nothing parsed */
    } else if (jobs == 1) {
        worker(&pl);
    } else {
        for (; started < jobs; started++)
            if (pthread_create(&th[started], NULL, worker, &pl) != 0) break;
        if (!started) worker(&pl); /* no threads to be had: do the work here */
        for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
    }
    pl.stats.pch_built = pl.pch.built;
    pl.stats.pch_loaded = pl.pch.loaded;
    pool_fini(&pl);
    pthread_mutex_destroy(&pl.mu);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pl.stats.parse_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (stats) *stats = pl.stats;
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
