/* mb_cases.c: reads benchmark cases from JSON: a case file {"cases": [...]} or a project
 * configuration's "bench" member, with the same case objects (docs/bench.md, "Case files").
 * Every error names FILE:LINE:COL.  It checks types and values, not whether the code builds. */
#include "mb_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ca_json.h"

void ca_bench_cases_init(struct ca_bench_cases *cs)
{
    memset(cs, 0, sizeof *cs);
    ca_arena_init(&cs->arena);
}

void ca_bench_cases_fini(struct ca_bench_cases *cs)
{
    if (!cs) return;
    ca_arena_fini(&cs->arena);
    memset(cs, 0, sizeof *cs);
}

struct src {
    const char *path, *text, *dir;
    size_t len;
    char **msg;
};

static enum ca_status fail_at(const struct src *f, size_t off, const char *fmt, ...) CA_PRINTF(3, 4);
static enum ca_status fail_at(const struct src *f, size_t off, const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    uint32_t line = 0, col = 0;
    ca_json_line_col(f->text, f->len, off, &line, &col);
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s:%u:%u: ", f->path, line, col);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    *f->msg = ca_buf_take(&b);
    return *f->msg ? CA_ERR_CONFIG : CA_ERR_NOMEM;
}

static enum ca_status want(const struct src *f, const struct ca_json *v, enum ca_json_type t, const char *k)
{
    if (v->type == t) return CA_OK;
    return fail_at(f, v->off, "expected %s for \"%s\", not %s", ca_json_type_name(t), k, ca_json_type_name(v->type));
}

static enum ca_status get_str(const struct src *f, struct ca_arena *a, const struct ca_json *v, const char **out)
{
    enum ca_status st = want(f, v, CA_JSON_STR, v->key);
    if (st != CA_OK) return st;
    *out = ca_arena_strdup(a, v->str);
    return *out ? CA_OK : CA_ERR_NOMEM;
}

/* A whole number in [lo, hi]. */
static enum ca_status get_int(const struct src *f, const struct ca_json *v, double lo, double hi, double *out)
{
    enum ca_status st = want(f, v, CA_JSON_NUM, v->key);
    if (st != CA_OK) return st;
    if (!ca_json_is_int(v) || v->num < lo || v->num > hi)
        return fail_at(f, v->off, "\"%s\" must be a whole number from %.0f to %.0f", v->key, lo, hi);
    *out = v->num;
    return CA_OK;
}

/* A string, or an array of strings joined with newlines (multi-line setups). */
static enum ca_status get_text(const struct src *f, struct ca_arena *a, const struct ca_json *v, const char **out)
{
    struct ca_buf b;
    if (v->type != CA_JSON_ARR) return get_str(f, a, v, out);
    ca_buf_init(&b);
    for (const struct ca_json *e = v->child; e; e = e->next) {
        if (e->type != CA_JSON_STR) {
            ca_buf_fini(&b);
            return fail_at(f, e->off, "expected strings in \"%s\", not %s", v->key, ca_json_type_name(e->type));
        }
        if (e != v->child) ca_buf_putc(&b, '\n');
        ca_buf_puts(&b, e->str);
    }
    *out = b.failed ? NULL : ca_arena_strdup(a, b.data ? b.data : "");
    ca_buf_fini(&b);
    return *out ? CA_OK : CA_ERR_NOMEM;
}

/* "a/b/../c" -> "a/c", "./x" -> "x", in place: lexical only (a symbolic link named b would make
 * this wrong, and then the build reports the file as missing). */
static void tidy_path(char *p)
{
    char *root = p + (*p == '/'); /* never pop past this */
    char *out = root, *seg = root;
    while (*seg) {
        char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        bool dotdot = n == 2 && seg[0] == '.' && seg[1] == '.';
        /* the last segment written is ".." itself: a parent of a parent, keep both */
        bool last_up = out - root >= 2 && out[-1] == '.' && out[-2] == '.' && (out - 2 == root || out[-3] == '/');
        if (n == 0 || (n == 1 && seg[0] == '.')) {
            /* "" and "." say nothing */
        } else if (dotdot && out > root && !last_up) {
            while (out > root && *--out != '/') {}
        } else if (!(dotdot && root > p)) { /* "/.." is "/" */
            if (out > root) *out++ = '/';
            memmove(out, seg, n);
            out += n;
        }
        seg = end ? end + 1 : seg + n;
    }
    if (out == p) *out++ = '.';
    *out = '\0';
}

static enum ca_status read_case(const struct src *f, struct ca_arena *a, const struct ca_json *o, struct ca_bench_case *c)
{
    enum ca_status st = CA_OK;
    double n;
    memset(c, 0, sizeof *c);
    if (o->type != CA_JSON_OBJ) return fail_at(f, o->off, "expected an object for a case, not %s", ca_json_type_name(o->type));
    for (const struct ca_json *m = o->child; m && st == CA_OK; m = m->next) {
        const char *k = m->key;
        if (strcmp(k, "name") == 0) st = get_str(f, a, m, &c->name);
        else if (strcmp(k, "function") == 0) st = get_str(f, a, m, &c->function);
        else if (strcmp(k, "source") == 0) {
            st = get_str(f, a, m, &c->source);
            if (st == CA_OK && c->source[0] != '/' && f->dir) {
                char *joined = ca_arena_printf(a, "%s/%s", f->dir, c->source);
                if (joined) tidy_path(joined);
                c->source = joined;
                if (!c->source) st = CA_ERR_NOMEM;
            }
        } else if (strcmp(k, "module") == 0) st = get_str(f, a, m, &c->module);
        else if (strcmp(k, "call") == 0) st = get_text(f, a, m, &c->call);
        else if (strcmp(k, "setup") == 0) st = get_text(f, a, m, &c->setup);
        else if (strcmp(k, "expect") == 0) {
            st = want(f, m, CA_JSON_STR, k);
            if (st == CA_OK && !ca_bench_rec_parse(m->str, &c->expect))
                st = fail_at(f, m->off, "\"expect\" must be threading, multiprocessing, release-gil or none");
        } else if (strcmp(k, "threads") == 0 || strcmp(k, "workers") == 0) {
            if ((st = get_int(f, m, 1, MB_MAX_WORKERS, &n)) == CA_OK) c->workers = (unsigned)n;
        } else if (strcmp(k, "calls") == 0) {
            if ((st = get_int(f, m, 1, 1e12, &n)) == CA_OK) c->calls = (long)n;
        } else if (strcmp(k, "repeat") == 0) {
            if ((st = get_int(f, m, 1, MB_MAX_REPEAT, &n)) == CA_OK) c->repeat = (unsigned)n;
        } else if (strcmp(k, "timeout") == 0) {
            st = want(f, m, CA_JSON_NUM, k);
            if (st == CA_OK && !(m->num > 0 && m->num <= 86400))
                st = fail_at(f, m->off, "\"timeout\" must be a number of seconds from 0 to 86400");
            c->timeout = m->num;
        } else if (strcmp(k, "start_method") == 0) {
            st = get_str(f, a, m, &c->start_method);
            if (st == CA_OK && strcmp(c->start_method, "fork") != 0 && strcmp(c->start_method, "spawn") != 0 &&
                strcmp(c->start_method, "forkserver") != 0)
                st = fail_at(f, m->off, "\"start_method\" must be fork, spawn or forkserver");
        } else if (strcmp(k, "python") == 0) st = get_str(f, a, m, &c->python);
        else if (strcmp(k, "cc") == 0) st = get_str(f, a, m, &c->cc);
        else if (strcmp(k, "cc_args") == 0) {
            const char **args;
            size_t i = 0;
            if ((st = want(f, m, CA_JSON_ARR, k)) != CA_OK) break;
            for (const struct ca_json *e = m->child; e; e = e->next) i++;
            args = ca_arena_alloc(a, (i + 1) * sizeof *args);
            if (!args) return CA_ERR_NOMEM;
            i = 0;
            for (const struct ca_json *e = m->child; e && st == CA_OK; e = e->next) {
                if (e->type != CA_JSON_STR) st = fail_at(f, e->off, "expected strings in \"cc_args\"");
                else if (!(args[i++] = ca_arena_strdup(a, e->str))) st = CA_ERR_NOMEM;
            }
            c->cc_args = args;
            c->ncc_args = i;
        } else if (strcmp(k, "comment") != 0) {
            st = fail_at(f, m->key_off, "unknown key \"%s\" in a case", k);
        }
    }
    if (st == CA_OK && (!c->call || !c->source == !c->module))
        st = fail_at(f, o->off, "a case needs \"call\" and exactly one of \"source\" and \"module\"");
    return st;
}

enum ca_status ca_bench_cases_parse(const char *path, const char *text, size_t len, struct ca_bench_cases *cs,
                                    char **msg)
{
    struct ca_json *root = NULL;
    struct ca_json_error jerr;
    const struct ca_json *list;
    const char *slash = strrchr(path, '/');
    struct src f = {path, text, NULL, len, msg};
    enum ca_status st;
    size_t n = 0;

    *msg = NULL;
    f.dir = slash ? ca_arena_strndup(&cs->arena, path, (size_t)(slash - path)) : NULL;
    if (slash && !f.dir) return CA_ERR_NOMEM;
    st = ca_json_parse(text, len, &cs->arena, &root, &jerr);
    if (st == CA_ERR_NOMEM) return st;
    if (st != CA_OK) {
        fail_at(&f, jerr.off, "%s", jerr.message);
        return *msg ? CA_ERR_PARSE : CA_ERR_NOMEM;
    }
    if (root->type != CA_JSON_OBJ) return fail_at(&f, root->off, "expected an object at the top level");
    list = ca_json_find(root, "cases");
    if (!list) list = ca_json_find(root, "bench");
    if (!list) return fail_at(&f, root->off, "no \"cases\" (or \"bench\") array");
    if (list->type != CA_JSON_ARR) return want(&f, list, CA_JSON_ARR, list->key);
    for (const struct ca_json *e = list->child; e; e = e->next) n++;
    cs->cases = ca_arena_alloc(&cs->arena, (n ? n : 1) * sizeof *cs->cases);
    if (!cs->cases) return CA_ERR_NOMEM;
    for (const struct ca_json *e = list->child; e; e = e->next) {
        st = read_case(&f, &cs->arena, e, &cs->cases[cs->ncases]);
        if (st != CA_OK) return st;
        cs->ncases++;
    }
    return CA_OK;
}

enum ca_status ca_bench_cases_load(const char *path, struct ca_bench_cases *cs, char **msg)
{
    char *text = NULL;
    size_t len = 0;
    enum ca_status st = ca_file_read(path, &text, &len);
    *msg = NULL;
    if (st == CA_ERR_IO) {
        struct ca_buf b;
        ca_buf_init(&b);
        ca_buf_printf(&b, "%s: cannot read the file", path);
        *msg = ca_buf_take(&b);
        return *msg ? CA_ERR_IO : CA_ERR_NOMEM;
    }
    if (st != CA_OK) return st;
    st = ca_bench_cases_parse(path, text, len, cs, msg);
    ca_free(text);
    return st;
}
