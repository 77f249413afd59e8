/* baseline.c: the baseline file: a strict reader over the positioned JSON tree of base/json,
 * a sorted set of fingerprints, the filter over results and the writer.  Does no file output. */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_json.h"

static const char *const top_keys[] = {"version", "tool_version", "entries", NULL};
static const char *const entry_keys[] = {"fingerprint", "rule", "file", "function", "message", NULL};

void ca_baseline_error_fini(struct ca_baseline_error *e)
{
    if (!e) return;
    ca_free(e->file);
    ca_free(e->message);
    memset(e, 0, sizeof *e);
}

void ca_baseline_init(struct ca_baseline *b)
{
    memset(b, 0, sizeof *b);
    ca_arena_init(&b->arena);
}

void ca_baseline_fini(struct ca_baseline *b)
{
    if (!b) return;
    ca_free(b->fingerprints);
    ca_arena_fini(&b->arena);
    ca_baseline_init(b);
}

struct doc {
    const char *path, *text;
    size_t len;
    struct ca_baseline_error *err;
};

static enum ca_status fail(const struct doc *d, enum ca_status st, size_t off, bool pos, const char *fmt, ...)
    CA_PRINTF(5, 6);
static enum ca_status fail(const struct doc *d, enum ca_status st, size_t off, bool pos, const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    if (!d->err) return st;
    ca_baseline_error_fini(d->err);
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    d->err->message = ca_buf_take(&b);
    d->err->file = ca_strdup(d->path);
    if (pos) ca_json_line_col(d->text, d->len, off, &d->err->line, &d->err->col);
    if (!d->err->message || !d->err->file) {
        ca_baseline_error_fini(d->err);
        return CA_ERR_NOMEM;
    }
    return st;
}

static int find_name(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

static bool valid_fingerprint(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return i == 32;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* entry = {"fingerprint": HEX32, "rule": str, "file": str, "function": str|null, "message": str};
 * only the fingerprint is required: the rest is for people and is type-checked only. */
static enum ca_status read_entry(const struct doc *d, const struct ca_json *e, const char **fp)
{
    const struct ca_json *seen[5] = {NULL};
    if (e->type != CA_JSON_OBJ)
        return fail(d, CA_ERR_CONFIG, e->off, true, "expected an object in \"entries\", not %s", ca_json_type_name(e->type));
    for (const struct ca_json *m = e->child; m; m = m->next) {
        int k = find_name(entry_keys, m->key);
        if (k < 0)
            return fail(d, CA_ERR_CONFIG, m->key_off, true,
                        "unknown key \"%s\" in a baseline entry (expected fingerprint, rule, file, function, message)",
                        m->key);
        if (seen[k]) return fail(d, CA_ERR_CONFIG, m->key_off, true, "duplicate key \"%s\"", m->key);
        seen[k] = m;
        if (m->type != CA_JSON_STR && !(k == 3 && m->type == CA_JSON_NULL))
            return fail(d, CA_ERR_CONFIG, m->off, true, "expected %s for \"%s\", not %s",
                        k == 3 ? "a string or null" : "a string", m->key, ca_json_type_name(m->type));
    }
    if (!seen[0]) return fail(d, CA_ERR_CONFIG, e->off, true, "missing \"fingerprint\" in this entry");
    if (!valid_fingerprint(seen[0]->str))
        return fail(d, CA_ERR_CONFIG, seen[0]->off, true, "invalid fingerprint \"%s\" (expected 32 lowercase hex digits)",
                    seen[0]->str);
    *fp = seen[0]->str;
    return CA_OK;
}

enum ca_status ca_baseline_parse(const char *path, const char *text, size_t len, struct ca_baseline *b,
                                 struct ca_baseline_error *err)
{
    struct doc d = {path, text, len, err};
    struct ca_arena tree;
    struct ca_json *root = NULL;
    const struct ca_json *seen[3] = {NULL};
    struct ca_json_error jerr;
    size_t n = 0, w = 0;
    enum ca_status st;

    if (err) memset(err, 0, sizeof *err);
    ca_baseline_fini(b);
    ca_arena_init(&tree);
    st = ca_json_parse(text, len, &tree, &root, &jerr);
    if (st == CA_ERR_PARSE) st = fail(&d, CA_ERR_PARSE, jerr.off, true, "%s", jerr.message);
    if (st != CA_OK) goto out;
    if (root->type != CA_JSON_OBJ) {
        st = fail(&d, CA_ERR_CONFIG, root->off, true, "expected an object at the top level, not %s",
                  ca_json_type_name(root->type));
        goto out;
    }
    for (const struct ca_json *m = root->child; m; m = m->next) {
        int k = find_name(top_keys, m->key);
        if (k < 0) {
            st = fail(&d, CA_ERR_CONFIG, m->key_off, true,
                      "unknown key \"%s\" (expected one of: version, tool_version, entries)", m->key);
            goto out;
        }
        if (seen[k]) {
            st = fail(&d, CA_ERR_CONFIG, m->key_off, true, "duplicate key \"%s\"", m->key);
            goto out;
        }
        seen[k] = m;
    }
    if (!seen[0] || !seen[2]) {
        st = fail(&d, CA_ERR_CONFIG, root->off, true, "missing \"%s\": not a concadvise baseline",
                  !seen[0] ? "version" : "entries");
        goto out;
    }
    if (!ca_json_is_int(seen[0]) || seen[0]->num != CA_BASELINE_VERSION) {
        st = fail(&d, CA_ERR_CONFIG, seen[0]->off, true, "unsupported baseline version (this concadvise reads version %d)",
                  CA_BASELINE_VERSION);
        goto out;
    }
    if (seen[1] && seen[1]->type != CA_JSON_STR) {
        st = fail(&d, CA_ERR_CONFIG, seen[1]->off, true, "expected a string for \"tool_version\", not %s",
                  ca_json_type_name(seen[1]->type));
        goto out;
    }
    if (seen[2]->type != CA_JSON_ARR) {
        st = fail(&d, CA_ERR_CONFIG, seen[2]->off, true, "expected an array for \"entries\", not %s",
                  ca_json_type_name(seen[2]->type));
        goto out;
    }
    for (const struct ca_json *e = seen[2]->child; e; e = e->next) n++;
    if (n && !(b->fingerprints = ca_malloc(n * sizeof *b->fingerprints))) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    for (const struct ca_json *e = seen[2]->child; e; e = e->next) {
        const char *fp = NULL;
        if ((st = read_entry(&d, e, &fp)) != CA_OK) goto out;
        if (!(b->fingerprints[b->n++] = ca_arena_strdup(&b->arena, fp))) {
            st = CA_ERR_NOMEM;
            goto out;
        }
    }
    if (b->n > 1) qsort(b->fingerprints, b->n, sizeof *b->fingerprints, cmp_str);
    for (size_t i = 0; i < b->n; i++) /* a fingerprint listed twice is one */
        if (!w || strcmp(b->fingerprints[w - 1], b->fingerprints[i]) != 0) b->fingerprints[w++] = b->fingerprints[i];
    b->n = w;
out:
    ca_arena_fini(&tree);
    if (st != CA_OK) ca_baseline_fini(b);
    return st;
}

enum ca_status ca_baseline_load(const char *path, struct ca_baseline *b, struct ca_baseline_error *err)
{
    struct doc d = {path, NULL, 0, err};
    char *text = NULL;
    size_t len = 0;
    enum ca_status st;

    if (err) memset(err, 0, sizeof *err);
    st = ca_file_read(path, &text, &len);
    if (st == CA_ERR_NOMEM) return st;
    if (st != CA_OK) return fail(&d, CA_ERR_IO, 0, false, "cannot read the baseline: %s", strerror(errno));
    st = ca_baseline_parse(path, text, len, b, err);
    ca_free(text);
    return st;
}

bool ca_baseline_has(const struct ca_baseline *b, const char *fingerprint)
{
    if (!b || !fingerprint || !b->n) return false;
    return bsearch(&fingerprint, b->fingerprints, b->n, sizeof *b->fingerprints, cmp_str) != NULL;
}

void ca_baseline_apply(const struct ca_baseline *b, struct ca_results *r, uint32_t *removed)
{
    uint32_t w = 0, gone = 0;
    for (uint32_t i = 0; i < r->ndiags; i++) {
        if (ca_baseline_has(b, r->diags[i].fingerprint)) gone++;
        else r->diags[w++] = r->diags[i];
    }
    r->ndiags = w;
    if (removed) *removed = gone;
}

static int cmp_str0(const char *a, const char *b)
{
    if (a == b) return 0;
    if (!a) return -1;
    if (!b) return 1;
    return strcmp(a, b);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct ca_diagnostic *a = *(const struct ca_diagnostic *const *)pa, *b = *(const struct ca_diagnostic *const *)pb;
    int c = cmp_str0(a->file, b->file);
    if (!c) c = cmp_str0(a->rule, b->rule);
    if (!c) c = cmp_str0(a->function, b->function);
    if (!c) c = cmp_str0(a->message, b->message);
    if (!c) c = cmp_str0(a->fingerprint, b->fingerprint);
    return c;
}

enum ca_status ca_baseline_write(const struct ca_results *r, const char *tool_version, struct ca_buf *out)
{
    const struct ca_diagnostic **v = NULL;
    uint32_t n = 0;

    if (r->ndiags && !(v = ca_malloc(r->ndiags * sizeof *v))) return CA_ERR_NOMEM;
    for (uint32_t i = 0; i < r->ndiags; i++)
        if (r->diags[i].fingerprint) v[n++] = &r->diags[i];
    if (n > 1) qsort(v, n, sizeof *v, cmp_entry);
    ca_buf_printf(out, "{\n  \"version\": %d,\n  \"tool_version\": ", CA_BASELINE_VERSION);
    ca_json_put_str(out, tool_version ? tool_version : "");
    ca_buf_puts(out, n ? ",\n  \"entries\": [\n" : ",\n  \"entries\": []\n}\n");
    for (uint32_t i = 0; i < n; i++) {
        const struct ca_diagnostic *d = v[i];
        ca_buf_puts(out, "    {\"fingerprint\": ");
        ca_json_put_str(out, d->fingerprint);
        ca_buf_puts(out, ", \"rule\": ");
        ca_json_put_str(out, d->rule);
        ca_buf_puts(out, ", \"file\": ");
        ca_json_put_str(out, d->file);
        ca_buf_puts(out, ", \"function\": ");
        if (d->function) ca_json_put_str(out, d->function);
        else ca_buf_puts(out, "null");
        ca_buf_puts(out, ", \"message\": ");
        ca_json_put_str(out, d->message);
        ca_buf_puts(out, i + 1 < n ? "},\n" : "}\n  ]\n}\n");
    }
    ca_free(v);
    return out->failed ? CA_ERR_NOMEM : CA_OK;
}
