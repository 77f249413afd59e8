/* config.c: .concadvise.json: discovery (walk up from a start directory), a strict schema check
 * over the positioned JSON tree of base/json, glob matching for include/exclude, and severity
 * overrides on results.  Does not load catalogs, print or exit. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca_json.h"

/* The keys of the file, in the order docs/cli.md lists them.  ORDER CONFIGKEYS */
enum key { K_INCLUDE, K_EXCLUDE, K_CATALOGS, K_SEVERITY, K_FAIL_ON, K_PYINC, K_EXTRA, K_BENCH, K_COUNT };
static const char *const key_names[] = {"include", "exclude", "catalogs", "severity", "fail-on",
                                        "python-include", "extra-args", "bench", NULL};
static const char *const severity_values[] = {"error", "warning", "note", "off", NULL};
static const char *const fail_on_values[] = {"error", "warning", "note", "never", NULL};

/* ---- errors */

void ca_config_error_fini(struct ca_config_error *e)
{
    if (!e) return;
    ca_free(e->file);
    ca_free(e->message);
    memset(e, 0, sizeof *e);
}

/* The text being checked, kept so that errors can turn offsets into line:col. */
struct doc {
    const char *path, *text;
    size_t len;
    struct ca_config *c;
    struct ca_config_error *err;
};

static enum ca_status fail(const struct doc *d, enum ca_status st, size_t off, bool pos, const char *fmt, ...)
    CA_PRINTF(5, 6);
static enum ca_status fail(const struct doc *d, enum ca_status st, size_t off, bool pos, const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    if (!d->err) return st;
    ca_config_error_fini(d->err);
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    d->err->message = ca_buf_take(&b);
    d->err->file = ca_strdup(d->path);
    if (pos) ca_json_line_col(d->text, d->len, off, &d->err->line, &d->err->col);
    if (!d->err->message || !d->err->file) {
        ca_config_error_fini(d->err);
        return CA_ERR_NOMEM;
    }
    return st;
}

static const char *join(char *buf, size_t cap, const char *const *names)
{
    size_t n = 0;
    buf[0] = '\0';
    for (; *names; names++) {
        int k = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", *names);
        if (k < 0 || (size_t)k >= cap - n) break;
        n += (size_t)k;
    }
    return buf;
}

static int find_name(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

/* ---- paths */

static bool is_abs(const char *p) { return p[0] == '/'; }

/* dir + "/" + rel in the config's arena; rel as it is when absolute. */
static const char *resolve(struct ca_config *c, const char *rel)
{
    if (is_abs(rel)) return ca_arena_strdup(&c->arena, rel);
    return ca_arena_printf(&c->arena, "%s/%s", c->dir, rel);
}

/* Lexically clean a path in place: no "." components, ".." folded into a previous component,
 * no repeated or trailing '/'; "" becomes ".".  The buffer must hold at least 2 bytes.  Paths of
 * more than 512 components keep their tail components unfolded (never seen in practice). */
static void clean_path(char *p)
{
    char copy[PATH_MAX * 2];
    const char *segs[512];
    size_t lens[512], n = 0;
    bool abs = p[0] == '/';
    char *w = p;
    if (strlen(p) >= sizeof copy) return;
    strcpy(copy, p);
    for (char *s = copy; *s;) {
        char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        bool dotdot = l == 2 && s[0] == '.' && s[1] == '.';
        if (l == 0 || (l == 1 && s[0] == '.')) {
            /* nothing */
        } else if (dotdot && n > 0 && !(lens[n - 1] == 2 && memcmp(segs[n - 1], "..", 2) == 0)) {
            n--;
        } else if (dotdot && abs && n == 0) {
            /* "/.." is "/" */
        } else if (n < sizeof segs / sizeof segs[0]) {
            segs[n] = s;
            lens[n++] = l;
        }
        if (!e) break;
        s = e + 1;
    }
    if (abs) *w++ = '/';
    for (size_t i = 0; i < n; i++) {
        if (i) *w++ = '/';
        memcpy(w, segs[i], lens[i]);
        w += lens[i];
    }
    if (w == p) *w++ = '.';
    *w = '\0';
}

/* The directory of `path`, absolute and resolved, in the arena. */
static const char *abs_dir(struct ca_config *c, const char *path)
{
    char buf[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, sizeof buf, ".");
    else if (slash == path) snprintf(buf, sizeof buf, "/");
    else snprintf(buf, sizeof buf, "%.*s", (int)(slash - path), path);
    if (realpath(buf, real)) return ca_arena_strdup(&c->arena, real);
    if (!is_abs(buf)) {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "/");
        char *joined = ca_arena_printf(&c->arena, "%s/%s", cwd, buf);
        if (joined) clean_path(joined);
        return joined;
    }
    return ca_arena_strdup(&c->arena, buf);
}

/* ---- the schema */

/* An array of non-empty strings into *out (arena copies; relative paths resolved when asked). */
static enum ca_status read_strings(const struct doc *d, const struct ca_json *v, bool paths,
                                   const char *const **out, size_t *n)
{
    size_t count = 0, i = 0;
    const char **list;
    if (v->type != CA_JSON_ARR)
        return fail(d, CA_ERR_CONFIG, v->off, true, "expected an array of strings for \"%s\", not %s", v->key,
                    ca_json_type_name(v->type));
    for (const struct ca_json *e = v->child; e; e = e->next) count++;
    if (!(list = ca_arena_alloc(&d->c->arena, (count ? count : 1) * sizeof *list))) return CA_ERR_NOMEM;
    for (const struct ca_json *e = v->child; e; e = e->next) {
        if (e->type != CA_JSON_STR)
            return fail(d, CA_ERR_CONFIG, e->off, true, "expected a string in \"%s\", not %s", v->key,
                        ca_json_type_name(e->type));
        if (!e->str[0]) return fail(d, CA_ERR_CONFIG, e->off, true, "empty string in \"%s\"", v->key);
        list[i] = paths ? resolve(d->c, e->str) : ca_arena_strdup(&d->c->arena, e->str);
        if (!list[i++]) return CA_ERR_NOMEM;
    }
    *out = list;
    *n = count;
    return CA_OK;
}

static enum ca_status read_string(const struct doc *d, const struct ca_json *v, const char **out)
{
    if (v->type != CA_JSON_STR)
        return fail(d, CA_ERR_CONFIG, v->off, true, "expected a string for \"%s\", not %s", v->key,
                    ca_json_type_name(v->type));
    if (!v->str[0]) return fail(d, CA_ERR_CONFIG, v->off, true, "\"%s\" must not be empty", v->key);
    *out = v->str;
    return CA_OK;
}

static enum ca_status read_severity(const struct doc *d, const struct ca_json *v)
{
    struct ca_config *c = d->c;
    size_t n = 0, i = 0;
    char buf[128];
    if (v->type != CA_JSON_OBJ)
        return fail(d, CA_ERR_CONFIG, v->off, true, "expected an object (rule id -> severity) for \"severity\", not %s",
                    ca_json_type_name(v->type));
    for (const struct ca_json *m = v->child; m; m = m->next) n++;
    if (n && !(c->severity = ca_arena_alloc(&c->arena, n * sizeof *c->severity))) return CA_ERR_NOMEM;
    for (const struct ca_json *m = v->child; m; m = m->next) {
        struct ca_config_severity *s = &c->severity[i];
        int k;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->severity[j].rule, m->key) == 0)
                return fail(d, CA_ERR_CONFIG, m->key_off, true, "duplicate rule \"%s\" in \"severity\"", m->key);
        if (m->type != CA_JSON_STR)
            return fail(d, CA_ERR_CONFIG, m->off, true, "expected a string for \"%s\" in \"severity\", not %s", m->key,
                        ca_json_type_name(m->type));
        if ((k = find_name(severity_values, m->str)) < 0)
            return fail(d, CA_ERR_CONFIG, m->off, true, "invalid severity \"%s\" for \"%s\" (expected one of: %s)", m->str,
                        m->key, join(buf, sizeof buf, severity_values));
        if (!(s->rule = ca_arena_strdup(&c->arena, m->key))) return CA_ERR_NOMEM;
        s->severity = k == 3 ? CA_CONFIG_SEV_OFF : k == 0 ? CA_SEV_ERROR : k == 1 ? CA_SEV_WARNING : CA_SEV_NOTE;
        ca_json_line_col(d->text, d->len, m->key_off, &s->line, &s->col);
        i++;
    }
    c->nseverity = i;
    return CA_OK;
}

static enum ca_status read_root(const struct doc *d, const struct ca_json *root)
{
    struct ca_config *c = d->c;
    const struct ca_json *got[K_COUNT] = {NULL};
    enum ca_status st = CA_OK;
    const char *s = NULL;
    char buf[256];
    int k;

    if (root->type != CA_JSON_OBJ)
        return fail(d, CA_ERR_CONFIG, root->off, true, "expected an object at the top level, not %s",
                    ca_json_type_name(root->type));
    for (const struct ca_json *m = root->child; m; m = m->next) {
        if ((k = find_name(key_names, m->key)) < 0)
            return fail(d, CA_ERR_CONFIG, m->key_off, true, "unknown key \"%s\" (expected one of: %s)", m->key,
                        join(buf, sizeof buf, key_names));
        if (got[k]) return fail(d, CA_ERR_CONFIG, m->key_off, true, "duplicate key \"%s\"", m->key);
        got[k] = m;
    }
    for (k = 0; k < K_COUNT && st == CA_OK; k++) {
        const struct ca_json *v = got[k];
        if (!v) continue;
        switch ((enum key)k) {
        case K_INCLUDE: st = read_strings(d, v, false, &c->include, &c->ninclude); break;
        case K_EXCLUDE: st = read_strings(d, v, false, &c->exclude, &c->nexclude); break;
        case K_CATALOGS: st = read_strings(d, v, true, &c->catalogs, &c->ncatalogs); break;
        case K_EXTRA: st = read_strings(d, v, false, &c->extra_args, &c->nextra); break;
        case K_SEVERITY: st = read_severity(d, v); break;
        case K_FAIL_ON: {
            int f;
            if ((st = read_string(d, v, &s)) != CA_OK) break;
            if ((f = find_name(fail_on_values, s)) < 0) {
                st = fail(d, CA_ERR_CONFIG, v->off, true, "invalid value \"%s\" for \"fail-on\" (expected one of: %s)", s,
                          join(buf, sizeof buf, fail_on_values));
                break;
            }
            c->fail_on = f == 3 ? CA_CONFIG_FAIL_NEVER : f == 0 ? CA_SEV_ERROR : f == 1 ? CA_SEV_WARNING : CA_SEV_NOTE;
            break;
        }
        case K_PYINC:
            if ((st = read_string(d, v, &s)) != CA_OK) break;
            if (!(c->python_include = resolve(c, s))) st = CA_ERR_NOMEM;
            break;
        case K_BENCH: /* benchmark cases: checked and read by the benchmark module (--bench) */
            if (v->type != CA_JSON_ARR)
                st = fail(d, CA_ERR_CONFIG, v->off, true, "expected an array of benchmark cases for \"bench\", not %s",
                          ca_json_type_name(v->type));
            else
                c->has_bench = true;
            break;
        case K_COUNT: break;
        }
    }
    return st;
}

/* ---- public */

void ca_config_init(struct ca_config *c)
{
    memset(c, 0, sizeof *c);
    c->fail_on = CA_CONFIG_FAIL_UNSET;
    ca_arena_init(&c->arena);
}

void ca_config_fini(struct ca_config *c)
{
    if (!c) return;
    ca_arena_fini(&c->arena);
    ca_config_init(c);
}

enum ca_status ca_config_parse(const char *path, const char *text, size_t len, struct ca_config *c,
                               struct ca_config_error *err)
{
    struct doc d = {path, text, len, c, err};
    struct ca_arena tree;
    struct ca_json *root = NULL;
    struct ca_json_error jerr;
    enum ca_status st;

    if (err) memset(err, 0, sizeof *err);
    ca_config_fini(c);
    ca_arena_init(&tree);
    st = ca_json_parse(text, len, &tree, &root, &jerr);
    if (st == CA_ERR_PARSE) st = fail(&d, CA_ERR_PARSE, jerr.off, true, "%s", jerr.message);
    if (st == CA_OK) {
        c->path = ca_arena_strdup(&c->arena, path);
        c->dir = abs_dir(c, path);
        if (!c->path || !c->dir) st = CA_ERR_NOMEM;
    }
    if (st == CA_OK) st = read_root(&d, root);
    ca_arena_fini(&tree);
    if (st != CA_OK) ca_config_fini(c);
    return st;
}

enum ca_status ca_config_load(const char *path, struct ca_config *c, struct ca_config_error *err)
{
    char *text = NULL;
    size_t len = 0;
    enum ca_status st;
    struct doc d = {path, NULL, 0, c, err};
    struct stat sb;

    if (err) memset(err, 0, sizeof *err);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return fail(&d, CA_ERR_IO, 0, false, "is a directory, not a configuration file");
    st = ca_file_read(path, &text, &len);
    if (st == CA_ERR_NOMEM) return st;
    if (st != CA_OK) return fail(&d, CA_ERR_IO, 0, false, "cannot read the configuration file: %s", strerror(errno));
    st = ca_config_parse(path, text, len, c, err);
    ca_free(text);
    return st;
}

enum ca_status ca_config_find(const char *start, char **out)
{
    char dir[PATH_MAX], cand[PATH_MAX + 32];
    struct stat sb;

    *out = NULL;
    if (!start || !*start) start = ".";
    snprintf(dir, sizeof dir, "%s", start);
    /* a file or a path that does not exist: its directory, or the nearest one that exists */
    while (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (!slash) snprintf(dir, sizeof dir, ".");
        else if (slash == dir) dir[1] = '\0';
        else *slash = '\0';
        if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0) break;
    }
    {
        char real[PATH_MAX];
        if (realpath(dir, real)) snprintf(dir, sizeof dir, "%s", real);
    }
    for (;;) {
        char *slash;
        snprintf(cand, sizeof cand, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", CA_CONFIG_FILENAME);
        if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode)) {
            *out = ca_strdup(cand);
            return *out ? CA_OK : CA_ERR_NOMEM;
        }
        if (strcmp(dir, "/") == 0 || !(slash = strrchr(dir, '/'))) return CA_OK;
        if (slash == dir) dir[1] = '\0';
        else *slash = '\0';
    }
}

enum ca_status ca_config_check_rules(const struct ca_config *c, const struct ca_rules *r, struct ca_config_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    for (size_t i = 0; i < c->nseverity; i++) {
        const struct ca_config_severity *s = &c->severity[i];
        if (ca_rules_find_meta(r, s->rule)) continue;
        if (err) {
            struct ca_buf b;
            ca_buf_init(&b);
            ca_buf_printf(&b, "unknown rule \"%s\" in \"severity\" (see concadvise --list-rules)", s->rule);
            err->message = ca_buf_take(&b);
            err->file = ca_strdup(c->path);
            err->line = s->line;
            err->col = s->col;
            if (!err->message || !err->file) {
                ca_config_error_fini(err);
                return CA_ERR_NOMEM;
            }
        }
        return CA_ERR_CONFIG;
    }
    return CA_OK;
}

/* ---- globs */

/* [class] at p (just after '['): does it hold ch?  *end gets the character after ']'; false
 * with *end = NULL when the class is not closed (then '[' is an ordinary character). */
static bool match_class(const char *p, char ch, const char **end)
{
    bool neg = false, hit = false;
    const char *q = p;
    if (*q == '!' || *q == '^') {
        neg = true;
        q++;
    }
    if (*q == ']') { /* a ']' first is literal */
        hit |= ch == ']';
        q++;
    }
    for (; *q && *q != ']'; q++) {
        if (q[1] == '-' && q[2] && q[2] != ']') {
            hit |= ch >= q[0] && ch <= q[2];
            q += 2;
        } else {
            hit |= ch == *q;
        }
    }
    if (*q != ']') {
        *end = NULL;
        return false;
    }
    *end = q + 1;
    return hit != neg && ch != '/';
}

/* Backtracking matcher.  Patterns come from a hand-written config and paths are short, so the
 * worst case (many stars) does not matter in practice. */
bool ca_config_glob_match(const char *p, const char *s)
{
    for (;;) {
        const char *end;
        if (*p == '\0') return *s == '\0';
        if (p[0] == '*' && p[1] == '*') {
            const char *rest = p + 2;
            while (*rest == '*') rest++;
            if (*rest == '/') { /* "**" + "/": zero or more whole directories */
                rest++;
                if (ca_config_glob_match(rest, s)) return true;
                for (const char *q = s; *q; q++)
                    if (*q == '/' && ca_config_glob_match(rest, q + 1)) return true;
                return false;
            }
            for (const char *q = s;; q++) {
                if (ca_config_glob_match(rest, q)) return true;
                if (!*q) return false;
            }
        }
        if (*p == '*') {
            for (const char *q = s;; q++) {
                if (ca_config_glob_match(p + 1, q)) return true;
                if (!*q || *q == '/') return false;
            }
        }
        if (!*s) return false;
        if (*p == '?') {
            if (*s == '/') return false;
            p++;
            s++;
            continue;
        }
        if (*p == '[') {
            bool hit = match_class(p + 1, *s, &end);
            if (end) {
                if (!hit) return false;
                p = end;
                s++;
                continue;
            }
        }
        if (*p == '\\' && p[1]) p++;
        if (*p != *s) return false;
        p++;
        s++;
    }
}

/* Does `pat` match `path` or one of its leading directories?  A pattern without '/' matches
 * at any depth. */
static bool pattern_hits(const char *pat, const char *path)
{
    char buf[PATH_MAX];
    size_t plen = strlen(pat);
    const char *usepat = pat;
    char patbuf[PATH_MAX];

    while (plen > 1 && pat[plen - 1] == '/') plen--; /* "vendor/" means the directory */
    if (plen >= sizeof patbuf - 4) return false;
    if (!memchr(pat, '/', plen)) {
        snprintf(patbuf, sizeof patbuf, "**/%.*s", (int)plen, pat);
    } else {
        const char *q = pat;
        size_t n = plen;
        if (n > 2 && q[0] == '.' && q[1] == '/') { /* "./src" is "src" */
            q += 2;
            n -= 2;
        }
        snprintf(patbuf, sizeof patbuf, "%.*s", (int)n, q);
    }
    usepat = patbuf;
    if (strlen(path) >= sizeof buf) return false;
    strcpy(buf, path);
    for (;;) {
        char *slash;
        if (ca_config_glob_match(usepat, buf)) return true;
        if (!(slash = strrchr(buf, '/')) || slash == buf) return false;
        *slash = '\0';
    }
}

static bool any_hits(const char *const *pats, size_t n, const char *a, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if (pattern_hits(pats[i], a) || (b && pattern_hits(pats[i], b))) return true;
    return false;
}

bool ca_config_selects(const struct ca_config *c, const char *display)
{
    char shown[PATH_MAX], abs[PATH_MAX * 2];
    const char *rel = NULL;
    size_t dl;

    if (!c || (!c->ninclude && !c->nexclude)) return true;
    if (strlen(display) >= sizeof shown) return true;
    strcpy(shown, display);
    clean_path(shown);
    if (shown[0] == '/') {
        snprintf(abs, sizeof abs, "%s", shown);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "/");
        snprintf(abs, sizeof abs, "%s/%s", cwd, shown);
        clean_path(abs);
    }
    dl = c->dir ? strlen(c->dir) : 0;
    if (dl && strncmp(abs, c->dir, dl) == 0 && abs[dl] == '/') rel = abs + dl + 1;
    else if (dl == 1 && c->dir[0] == '/' && abs[0] == '/') rel = abs + 1;
    if (c->ninclude && !any_hits(c->include, c->ninclude, shown, rel)) return false;
    return !any_hits(c->exclude, c->nexclude, shown, rel);
}

int ca_config_rule_severity(const struct ca_config *c, const char *rule, int *sev)
{
    if (!c || !rule) return 0;
    for (size_t i = 0; i < c->nseverity; i++)
        if (strcmp(c->severity[i].rule, rule) == 0) {
            *sev = c->severity[i].severity;
            return 1;
        }
    return 0;
}

void ca_config_apply_severity(const struct ca_config *c, struct ca_results *r, uint32_t *removed)
{
    uint32_t w = 0, gone = 0;
    for (uint32_t i = 0; i < r->ndiags; i++) {
        int sev;
        if (ca_config_rule_severity(c, r->diags[i].rule, &sev)) {
            if (sev == CA_CONFIG_SEV_OFF) {
                gone++;
                continue;
            }
            r->diags[i].severity = (enum ca_severity)sev;
        }
        r->diags[w++] = r->diags[i];
    }
    r->ndiags = w;
    if (removed) *removed = gone;
}
