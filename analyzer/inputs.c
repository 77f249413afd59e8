/* inputs.c: from the paths a user named to translation units with compile arguments.
 *
 * Walks directories (sorted, symlink-loop safe), reads compile_commands.json (given with -p or
 * discovered upwards from the inputs), turns each database entry into arguments libclang can use
 * in-process, and synthesises minimal flags (-I project headers, -I Python) for files the
 * database does not cover.  Does not run the compiler or a shell, does not open sources, never
 * prints.  docs/inputs.md is the user-facing description of the same rules. */
#include "inputs.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COMPDB_NAME "compile_commands.json"
#define PYTHON_ENV "CONCADVISE_PYTHON_INCLUDE"
/* Synthesised -I: at most this many header directories (the root itself comes on top), found no
 * deeper than this below the root.  Enough for src/, include/, lib/foo/include/ layouts, small
 * enough that a vendored tree cannot turn every parse into a 1000-directory include search. */
#define INC_MAX_DIRS 64
#define INC_MAX_DEPTH 6

/* ---- small helpers */

struct strv {
    char **v;
    size_t n, cap;
};

static void strv_fini(struct strv *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) ca_free(s->v[i]);
    ca_free(s->v);
    memset(s, 0, sizeof *s);
}

/* Push `str` (owned; NULL means its allocation failed).  On failure `str` is freed. */
static enum ca_status strv_take(struct strv *s, char *str)
{
    enum ca_status st;
    if (!str) return CA_ERR_NOMEM;
    CA_PUSH(st, s->v, s->n, s->cap, str);
    if (st != CA_OK) ca_free(str);
    return st;
}

static enum ca_status strv_add(struct strv *s, const char *str) { return strv_take(s, ca_strdup(str)); }

static enum ca_status strv_cat(struct strv *s, const char *a, const char *b)
{
    struct ca_buf buf;
    ca_buf_init(&buf);
    ca_buf_puts(&buf, a);
    ca_buf_puts(&buf, b);
    return strv_take(s, ca_buf_take(&buf));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A string key with the order it was seen in: sorting by both puts the first-seen first. */
struct keyidx {
    const char *key;
    size_t idx;
};

static int cmp_keyidx(const void *a, const void *b)
{
    const struct keyidx *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && strcmp(s + n - m, suf) == 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Cut the last component off a path in place: "/a/b" -> "/a", "/a" -> "/", "a" -> ".". */
static void strip_last(char *p)
{
    char *slash = strrchr(p, '/');
    if (slash == p) {
        slash[1] = '\0';
    } else if (slash) {
        *slash = '\0';
    } else if (p[0]) {
        p[0] = '.';
        p[1] = '\0';
    }
}

/* Directories a walk never enters, besides hidden ones: build trees, tool caches and virtual
 * environments hold generated or vendored C that is not the project's own.  A directory the
 * user names explicitly is walked whatever its name.  ORDER SKIP: docs/inputs.md lists these. */
static const char *const skip_exact[] = {
    "build", "_build", "CMakeFiles", "__pycache__", "node_modules", "venv",
    ".git", ".tox", ".venv", /* hidden anyway; listed so the table says it all */
};
static const char *const skip_prefix[] = {"build-", "cmake-build-"};

static bool skip_dir(const char *name)
{
    size_t i;
    if (name[0] == '.') return true;
    for (i = 0; i < sizeof skip_exact / sizeof *skip_exact; i++)
        if (strcmp(name, skip_exact[i]) == 0) return true;
    for (i = 0; i < sizeof skip_prefix / sizeof *skip_prefix; i++)
        if (strncmp(name, skip_prefix[i], strlen(skip_prefix[i])) == 0) return true;
    return false;
}

/* Display join: "samples/" + "a.c" -> "samples/a.c"; the directory keeps its spelling, only
 * its trailing slashes go ("/" stays "/"). */
static char *path_join(const char *dir, const char *name)
{
    struct ca_buf b;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    ca_buf_init(&b);
    if (n > 0) {
        ca_buf_putn(&b, dir, n);
        if (!(n == 1 && dir[0] == '/')) ca_buf_putc(&b, '/');
    }
    ca_buf_puts(&b, name);
    return ca_buf_take(&b);
}

/* Write `p` made absolute against `base` (when relative) into out[cap], without "." components
 * or repeated slashes.  ".." is kept: only the filesystem knows what it means under a symlink.
 * False when the result does not fit. */
static bool abs_into(char *out, size_t cap, const char *base, const char *p)
{
    char tmp[PATH_MAX * 2];
    const char *s;
    size_t n = 0;
    int w = p[0] == '/' ? snprintf(tmp, sizeof tmp, "%s", p) : snprintf(tmp, sizeof tmp, "%s/%s", base, p);
    if (w < 0 || (size_t)w >= sizeof tmp || cap < 2) return false;
    if (tmp[0] == '/') out[n++] = '/';
    for (s = tmp; *s;) {
        size_t len;
        while (*s == '/') s++;
        len = strcspn(s, "/");
        if (len == 0 || (len == 1 && s[0] == '.')) {
            s += len;
            continue;
        }
        if (n > 0 && out[n - 1] != '/') {
            if (n + 1 >= cap) return false;
            out[n++] = '/';
        }
        if (n + len >= cap) return false;
        memcpy(out + n, s, len);
        n += len;
        s += len;
    }
    if (n == 0) out[n++] = '.';
    out[n] = '\0';
    return true;
}

/* Heap copy of abs_into, or of `p` itself when the absolute form does not fit. */
static char *abs_dup(const char *base, const char *p)
{
    char buf[PATH_MAX];
    return ca_strdup(abs_into(buf, sizeof buf, base, p) ? buf : p);
}

/* Identity of a file for deduplication: its real path, else (missing, unreadable parent) the
 * absolute lexical path. */
static char *file_key(const char *cwd, const char *p, bool *exists)
{
    char buf[PATH_MAX];
    if (realpath(p, buf)) {
        if (exists) *exists = true;
        return ca_strdup(buf);
    }
    if (exists) *exists = false;
    return abs_dup(cwd, p);
}

/* Sorted names of the entries of `dir`, hidden ones (and "." "..") left out.  A directory that
 * cannot be opened reads as empty: the walk goes on, as find(1) would after a warning. */
static enum ca_status read_names(const char *dir, struct strv *names)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    enum ca_status st = CA_OK;
    if (!d) return CA_OK;
    while (st == CA_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        st = strv_add(names, de->d_name);
    }
    closedir(d);
    if (st == CA_OK && names->n > 1) qsort(names->v, names->n, sizeof *names->v, cmp_str);
    return st;
}

/* ---- directory identity set: (st_dev, st_ino) of every directory entered, so that a symlink
 * back up the tree (or two links to one directory) is walked once.  Open addressing, linear
 * probing, at most half full. */

struct dkey {
    dev_t dev;
    ino_t ino;
    bool used;
};

struct dirset {
    struct dkey *slot;
    size_t n, cap; /* cap is 0 or a power of two */
};

static void dirset_fini(struct dirset *s)
{
    ca_free(s->slot);
    memset(s, 0, sizeof *s);
}

static size_t dkey_hash(dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)ino * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64_t)dev * UINT64_C(0xC2B2AE3D27D4EB4F));
    return (size_t)(h ^ (h >> 31));
}

static struct dkey *dirset_slot(struct dkey *slot, size_t cap, dev_t dev, ino_t ino)
{
    size_t m = cap - 1, i = dkey_hash(dev, ino) & m;
    while (slot[i].used && !(slot[i].dev == dev && slot[i].ino == ino)) i = (i + 1) & m;
    return &slot[i];
}

/* Insert; *added says whether it was new. */
static enum ca_status dirset_add(struct dirset *s, dev_t dev, ino_t ino, bool *added)
{
    struct dkey *k;
    *added = false;
    if (s->cap && dirset_slot(s->slot, s->cap, dev, ino)->used) return CA_OK;
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64, i;
        struct dkey *ns = ca_calloc(ncap, sizeof *ns);
        if (!ns) return CA_ERR_NOMEM;
        for (i = 0; i < s->cap; i++)
            if (s->slot[i].used) *dirset_slot(ns, ncap, s->slot[i].dev, s->slot[i].ino) = s->slot[i];
        ca_free(s->slot);
        s->slot = ns;
        s->cap = ncap;
    }
    k = dirset_slot(s->slot, s->cap, dev, ino);
    k->dev = dev;
    k->ino = ino;
    k->used = true;
    s->n++;
    *added = true;
    return CA_OK;
}

/* ---- errors */

static enum ca_status fail(struct ca_inputs_error *err, enum ca_status st, const char *file, unsigned line,
                           unsigned col, const char *fmt, ...) CA_PRINTF(6, 7);

/* Fill *err and return st; CA_ERR_NOMEM (and an empty *err) when the message cannot be built. */
static enum ca_status fail(struct ca_inputs_error *err, enum ca_status st, const char *file, unsigned line,
                           unsigned col, const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    ca_inputs_error_fini(err);
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    err->message = ca_buf_take(&b);
    err->file = ca_strdup(file);
    err->line = line;
    err->col = col;
    if (!err->message || !err->file) {
        ca_inputs_error_fini(err);
        return CA_ERR_NOMEM;
    }
    return st;
}

void ca_inputs_error_fini(struct ca_inputs_error *e)
{
    if (!e) return;
    ca_free(e->file);
    ca_free(e->message);
    memset(e, 0, sizeof *e);
}

/* 1-based line and byte column of text[off]. */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
    size_t i;
    *line = 1;
    *col = 1;
    for (i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Offset of the idx-th element of the top-level array in text cJSON has already accepted (so
 * strings are terminated and brackets balance); the offset of the top-level value itself when
 * idx is SIZE_MAX.  cJSON keeps no positions, so this small scanner finds them for messages. */
static size_t element_offset(const char *text, size_t idx)
{
    size_t i = 0, k = 0;
    int depth = 0;
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') i++;
    if (idx == SIZE_MAX || text[i] != '[') return i;
    for (i++; text[i]; i++) {
        char ch = text[i];
        if (depth == 0 && ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != ',') {
            if (ch == ']') break;
            if (k == idx) return i;
        }
        if (ch == '"') {
            for (i++; text[i] && text[i] != '"'; i++)
                if (text[i] == '\\' && text[i + 1]) i++;
            if (!text[i]) break;
        } else if (ch == '[' || ch == '{') {
            depth++;
        } else if (ch == ']' || ch == '}') {
            depth--;
        } else if (ch == ',' && depth == 0) {
            k++;
        }
    }
    return i;
}

/* ---- compile database */

struct db_entry {
    char *dir;     /* absolute working directory of the compile */
    char *file;    /* absolute, lexically cleaned directory + file: the path to open */
    char *display; /* "file" as written when absolute, else `file` */
    char *key;     /* real path of `file`, or `file` when it does not resolve */
    char **argv;   /* arguments after shell splitting, compiler included */
    size_t argc;
    bool exists;
};

struct db {
    struct ca_arena arena; /* every string and argv array of the entries */
    struct db_entry *e;
    size_t n, cap;
    struct keyidx *bykey; /* n entries sorted by (key, index) */
};

static void db_fini(struct db *db)
{
    ca_arena_fini(&db->arena);
    ca_free(db->e);
    ca_free(db->bykey);
    memset(db, 0, sizeof *db);
}

/* Index of the first entry for `key`, or SIZE_MAX. */
static size_t db_find(const struct db *db, const char *key)
{
    size_t lo = 0, hi = db->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(db->bykey[mid].key, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < db->n && strcmp(db->bykey[lo].key, key) == 0 ? db->bykey[lo].idx : SIZE_MAX;
}

static enum ca_status word_end(struct ca_arena *a, struct ca_buf *w, char ***v, size_t *n, size_t *cap)
{
    enum ca_status st;
    char *s;
    if (w->failed) return CA_ERR_NOMEM;
    s = ca_arena_strndup(a, w->data ? w->data : "", w->len);
    if (!s) return CA_ERR_NOMEM;
    CA_PUSH(st, *v, *n, *cap, s);
    w->len = 0;
    return st;
}

/* Split a "command" string into words the way a POSIX shell does, with no expansion at all:
 * blanks (space, tab, newline) separate words; '...' is literal; inside "..." a backslash
 * escapes only $ ` " \ and newline and is literal before anything else; outside quotes a
 * backslash makes the next character literal, and backslash-newline vanishes.  $var, globs, ~
 * and operators stay plain text: the command is data we read, never something we run.
 * CA_ERR_PARSE for an unterminated quote.  Words live in `a`. */
static enum ca_status split_command(struct ca_arena *a, const char *s, char ***argv, size_t *argc)
{
    struct ca_buf w;
    char **v = NULL;
    size_t n = 0, cap = 0;
    bool inword = false;
    enum ca_status st = CA_OK;
    ca_buf_init(&w);
    while (st == CA_OK && *s) {
        char ch = *s;
        if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (inword) st = word_end(a, &w, &v, &n, &cap);
            inword = false;
            s++;
        } else if (ch == '\\' && s[1] == '\n') {
            s += 2;
        } else if (ch == '\\') {
            inword = true;
            if (s[1]) s++; /* a trailing lone backslash stays itself */
            ca_buf_putc(&w, *s++);
        } else if (ch == '\'') {
            const char *q = strchr(s + 1, '\'');
            if (!q) {
                st = CA_ERR_PARSE;
                break;
            }
            inword = true;
            ca_buf_putn(&w, s + 1, (size_t)(q - s - 1));
            s = q + 1;
        } else if (ch == '"') {
            inword = true;
            for (s++; *s && *s != '"';) {
                if (s[0] == '\\' && s[1] && strchr("$`\"\\\n", s[1])) {
                    if (s[1] != '\n') ca_buf_putc(&w, s[1]);
                    s += 2;
                } else {
                    ca_buf_putc(&w, *s++);
                }
            }
            if (!*s) st = CA_ERR_PARSE;
            else s++;
        } else {
            inword = true;
            ca_buf_putc(&w, *s++);
        }
    }
    if (st == CA_OK && inword) st = word_end(a, &w, &v, &n, &cap);
    if (st == CA_OK && w.failed) st = CA_ERR_NOMEM;
    if (st == CA_OK) {
        *argv = ca_arena_alloc(a, (n ? n : 1) * sizeof *v);
        if (!*argv) st = CA_ERR_NOMEM;
        else if (n) memcpy(*argv, v, n * sizeof *v);
        *argc = n;
    }
    ca_free(v);
    ca_buf_fini(&w);
    return st;
}

/* Where a compile database failed: everything needed to point at an entry. */
struct db_src {
    const char *path; /* as reported */
    const char *text;
    struct ca_inputs_error *err;
};

static enum ca_status bad_entry(const struct db_src *src, size_t idx, const char *what)
{
    unsigned line, col;
    line_col(src->text, element_offset(src->text, idx), &line, &col);
    return fail(src->err, CA_ERR_CONFIG, src->path, line, col, "compile database entry [%zu]: %s", idx, what);
}

/* entry = { "directory": string, "file": string, ("arguments": [string, ...] | "command": string) }
 * A relative "directory" is taken relative to the database's own directory. */
static enum ca_status db_add_entry(struct db *db, const struct db_src *src, const char *dbdir, const cJSON *el,
                                   size_t idx)
{
    const cJSON *jd, *jf, *ja, *jc, *it;
    struct db_entry e;
    char buf[PATH_MAX];
    enum ca_status st;
    memset(&e, 0, sizeof e);
    if (!cJSON_IsObject(el)) return bad_entry(src, idx, "is not an object");
    jd = cJSON_GetObjectItemCaseSensitive(el, "directory");
    jf = cJSON_GetObjectItemCaseSensitive(el, "file");
    ja = cJSON_GetObjectItemCaseSensitive(el, "arguments");
    jc = cJSON_GetObjectItemCaseSensitive(el, "command");
    if (!cJSON_IsString(jf) || !jf->valuestring || !jf->valuestring[0])
        return bad_entry(src, idx, "\"file\" is missing or not a non-empty string");
    if (!cJSON_IsString(jd) || !jd->valuestring) return bad_entry(src, idx, "\"directory\" is missing or not a string");
    if (ja) {
        size_t i = 0;
        if (!cJSON_IsArray(ja) || cJSON_GetArraySize(ja) < 1)
            return bad_entry(src, idx, "\"arguments\" is not a non-empty array of strings");
        e.argc = (size_t)cJSON_GetArraySize(ja);
        e.argv = ca_arena_alloc(&db->arena, e.argc * sizeof *e.argv);
        if (!e.argv) return CA_ERR_NOMEM;
        cJSON_ArrayForEach(it, ja) {
            if (!cJSON_IsString(it) || !it->valuestring)
                return bad_entry(src, idx, "\"arguments\" is not a non-empty array of strings");
            if (!(e.argv[i++] = ca_arena_strdup(&db->arena, it->valuestring))) return CA_ERR_NOMEM;
        }
    } else if (jc) {
        if (!cJSON_IsString(jc) || !jc->valuestring) return bad_entry(src, idx, "\"command\" is not a string");
        st = split_command(&db->arena, jc->valuestring, &e.argv, &e.argc);
        if (st == CA_ERR_PARSE) return bad_entry(src, idx, "\"command\" has an unterminated quote");
        if (st != CA_OK) return st;
        if (e.argc == 0) return bad_entry(src, idx, "\"command\" is empty");
    } else {
        return bad_entry(src, idx, "has neither \"arguments\" nor \"command\"");
    }
    e.dir = ca_arena_strdup(&db->arena, abs_into(buf, sizeof buf, dbdir, jd->valuestring) ? buf : jd->valuestring);
    if (!e.dir) return CA_ERR_NOMEM;
    e.file = ca_arena_strdup(&db->arena, abs_into(buf, sizeof buf, e.dir, jf->valuestring) ? buf : jf->valuestring);
    if (!e.file) return CA_ERR_NOMEM;
    e.display = jf->valuestring[0] == '/' ? ca_arena_strdup(&db->arena, jf->valuestring) : e.file;
    if (!e.display) return CA_ERR_NOMEM;
    e.exists = realpath(e.file, buf) != NULL;
    e.key = e.exists ? ca_arena_strdup(&db->arena, buf) : e.file;
    if (!e.key) return CA_ERR_NOMEM;
    CA_PUSH(st, db->e, db->n, db->cap, e);
    return st;
}

/* Read and check the database at `path` (reported as written); `cwd` makes it absolute. */
static enum ca_status db_load(struct db *db, const char *path, const char *cwd, struct ca_inputs_error *err)
{
    char *text = NULL, dbdir[PATH_MAX];
    size_t len = 0, i;
    cJSON *root = NULL;
    const cJSON *el;
    const char *end = NULL;
    struct db_src src;
    unsigned line, col;
    enum ca_status st;

    st = ca_file_read(path, &text, &len);
    if (st == CA_ERR_IO) {
        int e = errno;
        char why[128];
        if (strerror_r(e, why, sizeof why) != 0) snprintf(why, sizeof why, "error %d", e);
        st = fail(err, CA_ERR_IO, path, 0, 0, "cannot read compile database %s: %s", path, why);
        goto out;
    }
    if (st != CA_OK) goto out;
    if (strlen(text) != len) {
        line_col(text, strlen(text), &line, &col);
        st = fail(err, CA_ERR_PARSE, path, line, col, "malformed compile database: NUL byte");
        goto out;
    }
    root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        line_col(text, end && end >= text ? (size_t)(end - text) : 0, &line, &col);
        st = fail(err, CA_ERR_PARSE, path, line, col, "malformed compile database: invalid JSON");
        goto out;
    }
    src.path = path;
    src.text = text;
    src.err = err;
    if (!cJSON_IsArray(root)) {
        line_col(text, element_offset(text, SIZE_MAX), &line, &col);
        st = fail(err, CA_ERR_CONFIG, path, line, col, "compile database is not a JSON array of entries");
        goto out;
    }
    if (abs_into(dbdir, sizeof dbdir, cwd, path)) strip_last(dbdir);
    else snprintf(dbdir, sizeof dbdir, "%s", cwd);
    i = 0;
    cJSON_ArrayForEach(el, root) {
        st = db_add_entry(db, &src, dbdir, el, i++);
        if (st != CA_OK) goto out;
    }
    if (db->n) {
        db->bykey = ca_malloc(db->n * sizeof *db->bykey);
        if (!db->bykey) {
            st = CA_ERR_NOMEM;
            goto out;
        }
        for (i = 0; i < db->n; i++) {
            db->bykey[i].key = db->e[i].key;
            db->bykey[i].idx = i;
        }
        qsort(db->bykey, db->n, sizeof *db->bykey, cmp_keyidx);
    }
out:
    cJSON_Delete(root);
    ca_free(text);
    return st;
}

static bool is_regular(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Upwards from `start` (absolute, resolved): DIR/compile_commands.json, then
 * DIR/build/compile_commands.json, for DIR = start, its parent, ... up to "/". */
static enum ca_status discover_from(const char *start, char **found)
{
    char d[PATH_MAX], cand[PATH_MAX + 64];
    snprintf(d, sizeof d, "%s", start);
    for (;;) {
        const char *pre = strcmp(d, "/") == 0 ? "" : d;
        snprintf(cand, sizeof cand, "%s/" COMPDB_NAME, pre);
        if (is_regular(cand)) break;
        snprintf(cand, sizeof cand, "%s/build/" COMPDB_NAME, pre);
        if (is_regular(cand)) break;
        if (!*pre || !strchr(d, '/')) return CA_OK;
        strip_last(d);
    }
    *found = ca_strdup(cand);
    return *found ? CA_OK : CA_ERR_NOMEM;
}

/* The database to use: -p (a directory holding compile_commands.json, or the file itself), else
 * the first found upwards from each given path in order (from the cwd when none is given). */
static enum ca_status locate_db(const struct ca_inputs_options *opt, const char *cwd, char **found,
                                struct ca_inputs_error *err)
{
    size_t i;
    *found = NULL;
    if (opt->compdb_dir) {
        struct stat sb;
        bool isdir = stat(opt->compdb_dir, &sb) == 0 && S_ISDIR(sb.st_mode);
        char *p = isdir ? path_join(opt->compdb_dir, COMPDB_NAME) : ca_strdup(opt->compdb_dir);
        enum ca_status st;
        if (!p) return CA_ERR_NOMEM;
        if (is_regular(p)) {
            *found = p;
            return CA_OK;
        }
        st = fail(err, CA_ERR_CONFIG, p, 0, 0, "no compile database at %s", p);
        ca_free(p);
        return st;
    }
    if (opt->no_discovery) return CA_OK;
    if (opt->npaths == 0) return discover_from(cwd, found);
    for (i = 0; i < opt->npaths && !*found; i++) {
        char real[PATH_MAX];
        struct stat sb;
        enum ca_status st;
        if (stat(opt->paths[i], &sb) != 0 || !realpath(opt->paths[i], real)) continue;
        if (!S_ISDIR(sb.st_mode)) strip_last(real);
        st = discover_from(real, found);
        if (st != CA_OK) return st;
    }
    return CA_OK;
}

/* ---- arguments */

static bool is_wrapper(const char *argv0)
{
    const char *b = base_name(argv0);
    return strcmp(b, "ccache") == 0 || strcmp(b, "distcc") == 0 || strcmp(b, "sccache") == 0;
}

/* Whether argument `a` names the entry's own source file: lexically first (cheap), then, when
 * the base names agree, by real path ("../proj/a.c" written from a sibling build directory). */
static bool is_source_arg(const struct db_entry *e, const char *a)
{
    char buf[PATH_MAX], real[PATH_MAX];
    if (!abs_into(buf, sizeof buf, e->dir, a)) return false;
    if (strcmp(buf, e->file) == 0) return true;
    return e->exists && strcmp(base_name(a), base_name(e->file)) == 0 && realpath(buf, real) &&
           strcmp(real, e->key) == 0;
}

/* Options that would make libclang write files or fail where the build did not, or that name
 * what we pass separately.  Options taking a separate value also drop that value. */
static int dropped_arg(const struct db_entry *e, const char *a)
{
    static const char *const with_value[] = {"-o", "-MF", "-MT", "-MQ", "-MJ"};
    static const char *const alone[] = {"-c", "--", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG"};
    size_t i;
    for (i = 0; i < sizeof with_value / sizeof *with_value; i++)
        if (strcmp(a, with_value[i]) == 0) return 2;
    for (i = 0; i < sizeof alone / sizeof *alone; i++)
        if (strcmp(a, alone[i]) == 0) return 1;
    if (strncmp(a, "-o", 2) == 0 && strncmp(a, "-objc", 5) != 0) return 1; /* -oX; not -objcmt-* */
    if (strncmp(a, "-MF", 3) == 0 || strncmp(a, "-MT", 3) == 0 || strncmp(a, "-MQ", 3) == 0 ||
        strncmp(a, "-MJ", 3) == 0)
        return 1;
    if (strncmp(a, "-Wp,-MD,", 8) == 0 || strncmp(a, "-Wp,-MMD,", 9) == 0) return 1; /* Kbuild */
    if (strncmp(a, "-Werror", 7) == 0) return 1;
    if (a[0] != '-' && is_source_arg(e, a)) return 1;
    return 0;
}

/* Extensions clang maps to a language by itself.  Anything else named explicitly (a .inc, a
 * file without an extension) would be taken for a linker input and never parsed, so it gets
 * "-x c". */
static bool needs_x_c(const char *path)
{
    static const char *const known[] = {".c",  ".h",  ".i",   ".cc",  ".cp", ".cpp", ".cxx", ".c++", ".C",
                                        ".CPP", ".hh", ".hpp", ".hxx", ".h++", ".H",  ".ii",  ".m",   ".mm", ".M"};
    const char *dot = strrchr(base_name(path), '.');
    size_t i;
    if (!dot) return true;
    for (i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(dot, known[i]) == 0) return false;
    return true;
}

static enum ca_status add_extra(const struct ca_inputs_options *opt, struct strv *v)
{
    enum ca_status st = CA_OK;
    size_t i;
    for (i = 0; st == CA_OK && i < opt->nextra; i++) st = strv_add(v, opt->extra_args[i]);
    return st;
}

/* The options whose value is a path, joined ("-Iinc", "--sysroot=/x") or as the next argument
 * ("-I", "inc").  Longest first where one is a prefix of another. */
static const char *const path_opts[] = {"-include-pch", "-include", "-imacros", "-isystem", "-iquote",
                                        "-idirafter", "-iframework", "-isysroot", "--sysroot=", "--sysroot",
                                        "--include-directory=", "-I", "-F"};

/* Which path option `a` is: its length in *n; *joined when the value follows in the same word. */
static bool path_opt(const char *a, size_t *n, bool *joined)
{
    for (size_t i = 0; i < sizeof path_opts / sizeof *path_opts; i++) {
        size_t k = strlen(path_opts[i]);
        if (strncmp(a, path_opts[i], k) != 0) continue;
        *n = k;
        *joined = a[k] != '\0';
        /* "-includefoo.h" is -include with a joined value; "-I" alone takes the next word */
        return true;
    }
    return false;
}

void ca_input_include_dirs(const struct ca_input *in, void (*fn)(const char *dir, void *ctx), void *ctx)
{
    static const char *const opts[] = {"-I", "-iquote", "-isystem", "-idirafter"};
    for (size_t a = 0; a < in->nargs; a++)
        for (size_t o = 0; o < sizeof opts / sizeof *opts; o++) {
            size_t no = strlen(opts[o]);
            if (strncmp(in->args[a], opts[o], no) != 0) continue;
            if (in->args[a][no]) fn(in->args[a] + no, ctx);
            else if (a + 1 < in->nargs) fn(in->args[a + 1], ctx);
        }
}

/* opt + value, with a relative value made absolute against the entry's directory. */
static enum ca_status add_path_arg(struct strv *v, const char *dir, const char *opt, size_t nopt, const char *val)
{
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_putn(&b, opt, nopt);
    if (val[0] == '/' || !*val) ca_buf_puts(&b, val);
    else ca_buf_printf(&b, "%s/%s", dir, val);
    if (b.failed) {
        ca_buf_fini(&b);
        return CA_ERR_NOMEM;
    }
    {
        enum ca_status st = strv_add(v, b.data);
        ca_buf_fini(&b);
        return st;
    }
}

/* The build's own arguments minus dropped_arg(), with relative paths made absolute against the
 * entry's directory, then --extra-arg.  Not -working-directory: clang's driver implements it by
 * changing the current directory of the whole process, which races between the threads that
 * parse files of different directories and moves where the report is written. */
static enum ca_status entry_args(const struct db_entry *e, const struct ca_inputs_options *opt, struct strv *v)
{
    size_t i = 1;
    enum ca_status st = CA_OK;
    if (e->argc > 1 && is_wrapper(e->argv[0]) && e->argv[1][0] != '-') i = 2;
    for (; st == CA_OK && i < e->argc; i++) {
        const char *a = e->argv[i];
        int d = dropped_arg(e, a);
        size_t n;
        bool joined;
        if (d == 2) i++;
        else if (d == 1) continue;
        else if (path_opt(a, &n, &joined) && joined) st = add_path_arg(v, e->dir, a, n, a + n);
        else if (path_opt(a, &n, &joined) && i + 1 < e->argc) {
            st = strv_add(v, a);
            if (st == CA_OK) st = add_path_arg(v, e->dir, "", 0, e->argv[++i]);
        } else st = strv_add(v, a);
    }
    if (st == CA_OK) st = add_extra(opt, v);
    return st;
}

/* Header directories under `root` (absolute), breadth first so that shallow directories win when
 * there are more than INC_MAX_DIRS; the result is sorted.  The root itself is not included. */
static enum ca_status find_header_dirs(const char *root, struct strv *found)
{
    struct strv level = {0}, next = {0}, names = {0};
    struct dirset seen = {0};
    struct stat sb;
    unsigned depth;
    bool added;
    enum ca_status st = strv_add(&level, root);
    if (st == CA_OK && stat(root, &sb) == 0) st = dirset_add(&seen, sb.st_dev, sb.st_ino, &added);
    for (depth = 0; st == CA_OK && depth <= INC_MAX_DEPTH && level.n && found->n < INC_MAX_DIRS; depth++) {
        size_t i, j;
        for (i = 0; st == CA_OK && i < level.n && found->n < INC_MAX_DIRS; i++) {
            bool hdr = false;
            st = read_names(level.v[i], &names);
            for (j = 0; st == CA_OK && j < names.n; j++) {
                char *full = path_join(level.v[i], names.v[j]);
                if (!full) {
                    st = CA_ERR_NOMEM;
                } else if (stat(full, &sb) != 0) {
                    ca_free(full);
                } else if (S_ISDIR(sb.st_mode)) {
                    added = false;
                    if (depth < INC_MAX_DEPTH && !skip_dir(names.v[j]))
                        st = dirset_add(&seen, sb.st_dev, sb.st_ino, &added);
                    if (added) st = strv_take(&next, full);
                    else ca_free(full);
                } else {
                    hdr = hdr || (S_ISREG(sb.st_mode) && has_suffix(names.v[j], ".h"));
                    ca_free(full);
                }
            }
            strv_fini(&names);
            if (st == CA_OK && hdr && depth > 0) st = strv_add(found, level.v[i]);
        }
        strv_fini(&level);
        level = next;
        memset(&next, 0, sizeof next);
    }
    strv_fini(&level);
    strv_fini(&next);
    strv_fini(&names);
    dirset_fini(&seen);
    if (st == CA_OK && found->n > 1) qsort(found->v, found->n, sizeof *found->v, cmp_str);
    return st;
}

/* -I flags for files found under given path `p`: a directory gives itself and its header
 * directories; a file gives its own directory. */
static enum ca_status root_includes(const char *cwd, const char *p, struct strv *incs)
{
    struct strv dirs = {0};
    struct stat sb;
    size_t i;
    char *abs = abs_dup(cwd, p);
    enum ca_status st = abs ? CA_OK : CA_ERR_NOMEM;
    if (st == CA_OK && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        st = strv_cat(incs, "-I", abs);
        if (st == CA_OK) st = find_header_dirs(abs, &dirs);
        for (i = 0; st == CA_OK && i < dirs.n; i++) st = strv_cat(incs, "-I", dirs.v[i]);
    } else if (st == CA_OK) {
        strip_last(abs);
        st = strv_cat(incs, "-I", abs);
    }
    strv_fini(&dirs);
    ca_free(abs);
    return st;
}

/* --python-include (empty: none), else $CONCADVISE_PYTHON_INCLUDE, else the highest python3.N directory under
 * /usr/local/include or /usr/include that holds Python.h (/usr/local wins a tie, as in the
 * compiler's own search order).  Never runs python: the answer must not depend on PATH. */
static enum ca_status find_python_include(const struct ca_inputs_options *opt, char **out)
{
    static const char *const bases[] = {"/usr/local/include", "/usr/include"};
    const char *env = getenv(PYTHON_ENV);
    char best[PATH_MAX] = "", probe[PATH_MAX + 64];
    long best_minor = -1;
    size_t i;
    *out = NULL;
    if (opt->python_include && !*opt->python_include) return CA_OK; /* --python-include= : none */
    if (opt->python_include) return (*out = ca_strdup(opt->python_include)) ? CA_OK : CA_ERR_NOMEM;
    if (env && *env) return (*out = ca_strdup(env)) ? CA_OK : CA_ERR_NOMEM;
    for (i = 0; i < sizeof bases / sizeof *bases; i++) {
        DIR *d = opendir(bases[i]);
        struct dirent *de;
        if (!d) continue;
        while ((de = readdir(d)) != NULL) {
            const char *v = de->d_name;
            size_t nd;
            long minor;
            if (strncmp(v, "python3.", 8) != 0) continue;
            nd = strspn(v + 8, "0123456789");
            if (nd == 0 || nd > 4 || v[8 + nd]) continue; /* python3.N only, not python3.13t */
            minor = strtol(v + 8, NULL, 10);
            snprintf(probe, sizeof probe, "%s/%s/Python.h", bases[i], v);
            if (minor > best_minor && is_regular(probe)) {
                best_minor = minor;
                snprintf(best, sizeof best, "%s/%s", bases[i], v);
            }
        }
        closedir(d);
    }
    if (best_minor < 0) return CA_OK;
    return (*out = ca_strdup(best)) ? CA_OK : CA_ERR_NOMEM;
}

/* ---- collection */

struct cand {
    char *display; /* as the user gave it, joined with walked names */
    char *key;     /* see file_key() */
    size_t root;   /* index of the given path it came from */
    bool missing;
};

struct collect {
    const struct ca_inputs_options *opt;
    char cwd[PATH_MAX];
    struct cand *c;
    size_t nc, capc;
    struct dirset seen; /* directories entered, across all given paths */
};

static void collect_fini(struct collect *cx)
{
    size_t i;
    for (i = 0; i < cx->nc; i++) {
        ca_free(cx->c[i].display);
        ca_free(cx->c[i].key);
    }
    ca_free(cx->c);
    dirset_fini(&cx->seen);
}

static enum ca_status add_cand(struct collect *cx, const char *display, size_t root, bool missing)
{
    struct cand c;
    enum ca_status st = CA_ERR_NOMEM;
    c.display = ca_strdup(display);
    c.key = missing ? abs_dup(cx->cwd, display) : file_key(cx->cwd, display, NULL);
    c.root = root;
    c.missing = missing;
    if (c.display && c.key) CA_PUSH(st, cx->c, cx->nc, cx->capc, c);
    if (st != CA_OK) {
        ca_free(c.display);
        ca_free(c.key);
    }
    return st;
}

/* Depth first, names sorted, so the first display of a file reached twice is deterministic. */
static enum ca_status walk_dir(struct collect *cx, const char *dir, size_t root)
{
    struct strv names = {0};
    size_t i;
    enum ca_status st = read_names(dir, &names);
    for (i = 0; st == CA_OK && i < names.n; i++) {
        char *full = path_join(dir, names.v[i]);
        struct stat sb;
        bool added = false;
        if (!full) {
            st = CA_ERR_NOMEM;
            break;
        }
        if (stat(full, &sb) == 0) { /* follows symlinks; a dangling one is skipped */
            if (S_ISDIR(sb.st_mode)) {
                if (!skip_dir(names.v[i])) st = dirset_add(&cx->seen, sb.st_dev, sb.st_ino, &added);
                if (st == CA_OK && added) st = walk_dir(cx, full, root);
            } else if (S_ISREG(sb.st_mode) && has_suffix(names.v[i], ".c")) {
                st = add_cand(cx, full, root, false);
            }
        }
        ca_free(full);
    }
    strv_fini(&names);
    return st;
}

static enum ca_status gather(struct collect *cx)
{
    size_t i;
    enum ca_status st = CA_OK;
    for (i = 0; st == CA_OK && i < cx->opt->npaths; i++) {
        const char *p = cx->opt->paths[i];
        struct stat sb;
        bool added;
        if (stat(p, &sb) != 0) {
            st = add_cand(cx, p, i, true);
        } else if (S_ISDIR(sb.st_mode)) {
            st = dirset_add(&cx->seen, sb.st_dev, sb.st_ino, &added);
            if (st == CA_OK && added) st = walk_dir(cx, p, i);
        } else {
            st = add_cand(cx, p, i, false);
        }
    }
    return st;
}

static void input_fini(struct ca_input *it)
{
    size_t i;
    ca_free(it->path);
    ca_free(it->display);
    for (i = 0; i < it->nargs; i++) ca_free(it->args[i]);
    ca_free(it->args);
    memset(it, 0, sizeof *it);
}

void ca_input_list_fini(struct ca_input_list *l)
{
    size_t i;
    if (!l) return;
    for (i = 0; i < l->n; i++) input_fini(&l->items[i]);
    ca_free(l->items);
    ca_free(l->compdb_path);
    ca_free(l->python_include);
    memset(l, 0, sizeof *l);
}

/* Append an item built from copies of display and path; `args` moves in (and is emptied). */
static enum ca_status add_item(struct ca_input_list *out, const char *display, const char *path, struct strv *args,
                               bool from_compdb, bool missing)
{
    struct ca_input it;
    enum ca_status st = CA_ERR_NOMEM;
    memset(&it, 0, sizeof it);
    it.display = ca_strdup(display);
    it.path = ca_strdup(path);
    it.args = args->v;
    it.nargs = args->n;
    it.from_compdb = from_compdb;
    it.missing = missing;
    memset(args, 0, sizeof *args);
    if (it.display && it.path) CA_PUSH(st, out->items, out->n, out->cap, it);
    if (st != CA_OK) input_fini(&it);
    return st;
}

static enum ca_status add_entry_item(const struct ca_inputs_options *opt, const struct db_entry *e,
                                     const char *display, struct ca_input_list *out)
{
    struct strv args = {0};
    enum ca_status st = e->exists ? entry_args(e, opt, &args) : CA_OK;
    if (st == CA_OK) st = add_item(out, display, e->file, &args, true, !e->exists);
    strv_fini(&args);
    return st;
}

/* No paths given: every entry of the database, the first of duplicates. */
static enum ca_status items_from_db(const struct ca_inputs_options *opt, const struct db *db,
                                    struct ca_input_list *out)
{
    enum ca_status st = CA_OK;
    size_t i;
    for (i = 0; st == CA_OK && i < db->n; i++)
        if (db_find(db, db->e[i].key) == i) st = add_entry_item(opt, &db->e[i], db->e[i].display, out);
    return st;
}

/* Paths given: each distinct file found (first display wins), with its database entry when
 * there is one, else with synthesised flags: [-x c], -I of its root, -I Python, --extra-arg. */
static enum ca_status items_from_cands(struct collect *cx, const struct db *db, const char *python,
                                       struct ca_input_list *out)
{
    const struct ca_inputs_options *opt = cx->opt;
    struct keyidx *order = NULL;
    struct strv *incs = NULL, args = {0};
    bool *incs_done = NULL;
    size_t i, j;
    enum ca_status st = CA_OK;
    if (cx->nc == 0) return CA_OK;
    order = ca_malloc(cx->nc * sizeof *order);
    incs = ca_calloc(opt->npaths, sizeof *incs);
    incs_done = ca_calloc(opt->npaths, sizeof *incs_done);
    if (!order || !incs || !incs_done) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < cx->nc; i++) {
        order[i].key = cx->c[i].key;
        order[i].idx = i;
    }
    qsort(order, cx->nc, sizeof *order, cmp_keyidx);
    for (i = 0; st == CA_OK && i < cx->nc; i++) {
        const struct cand *c = &cx->c[order[i].idx];
        size_t e;
        if (i > 0 && strcmp(order[i - 1].key, order[i].key) == 0) continue;
        e = c->missing ? SIZE_MAX : db_find(db, c->key);
        if (c->missing) {
            st = add_item(out, c->display, c->display, &args, false, true);
        } else if (e != SIZE_MAX) {
            st = add_entry_item(opt, &db->e[e], c->display, out);
        } else {
            if (!incs_done[c->root]) {
                st = root_includes(cx->cwd, opt->paths[c->root], &incs[c->root]);
                incs_done[c->root] = true;
            }
            if (st == CA_OK && needs_x_c(c->display)) {
                st = strv_add(&args, "-x");
                if (st == CA_OK) st = strv_add(&args, "c");
            }
            for (j = 0; st == CA_OK && j < incs[c->root].n; j++) st = strv_add(&args, incs[c->root].v[j]);
            if (st == CA_OK && python) st = strv_cat(&args, "-I", python);
            if (st == CA_OK) st = add_extra(opt, &args);
            if (st == CA_OK) st = add_item(out, c->display, c->display, &args, false, false);
        }
        strv_fini(&args);
    }
out:
    if (incs)
        for (i = 0; i < opt->npaths; i++) strv_fini(&incs[i]);
    ca_free(incs);
    ca_free(incs_done);
    ca_free(order);
    return st;
}

static int cmp_item(const void *a, const void *b)
{
    const struct ca_input *x = a, *y = b;
    int c = strcmp(x->display, y->display);
    return c ? c : strcmp(x->path, y->path);
}

static void sort_items(struct ca_input_list *out)
{
    size_t i, k = 0;
    if (out->n > 1) qsort(out->items, out->n, sizeof *out->items, cmp_item);
    for (i = 0; i < out->n; i++) {
        if (k > 0 && strcmp(out->items[k - 1].display, out->items[i].display) == 0) input_fini(&out->items[i]);
        else out->items[k++] = out->items[i];
    }
    out->n = k;
}

enum ca_status ca_inputs_collect(const struct ca_inputs_options *opt, struct ca_input_list *out,
                                 struct ca_inputs_error *err)
{
    struct collect cx;
    struct db db;
    struct ca_inputs_error dummy;
    enum ca_status st;

    memset(out, 0, sizeof *out);
    memset(&dummy, 0, sizeof dummy);
    if (!err) err = &dummy;
    memset(err, 0, sizeof *err);
    memset(&cx, 0, sizeof cx);
    memset(&db, 0, sizeof db);
    ca_arena_init(&db.arena);
    if (!opt || (opt->npaths && !opt->paths) || (opt->nextra && !opt->extra_args)) return CA_ERR_USAGE;
    cx.opt = opt;
    if (!getcwd(cx.cwd, sizeof cx.cwd)) snprintf(cx.cwd, sizeof cx.cwd, ".");

    st = find_python_include(opt, &out->python_include);
    if (st == CA_OK) st = locate_db(opt, cx.cwd, &out->compdb_path, err);
    if (st == CA_OK && out->compdb_path) st = db_load(&db, out->compdb_path, cx.cwd, err);
    if (st == CA_OK && opt->npaths == 0) st = items_from_db(opt, &db, out);
    if (st == CA_OK && opt->npaths > 0) st = gather(&cx);
    if (st == CA_OK && opt->npaths > 0) st = items_from_cands(&cx, &db, out->python_include, out);
    if (st == CA_OK) sort_items(out);

    collect_fini(&cx);
    db_fini(&db);
    ca_inputs_error_fini(&dummy);
    if (st != CA_OK) ca_input_list_fini(out);
    return st;
}
