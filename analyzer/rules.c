/* rules.c: loads the knowledge catalogs (rules/NAME.json) and the diagnostic-rule metadata
 * (rules/checks/ID.json) into read-only tables, and answers look-ups on them.
 * It reads JSON with base/json (ca_json.h), because every error must name the line and column of
 * the offending key or value and cJSON keeps no positions.  It makes no judgement about code,
 * and it does not check that the doc pages and samples named by the metadata exist (the
 * installed rules/ directory has neither; a consistency test does that in the source tree).
 * The file format is documented in docs/catalogs.md. */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_json.h"

/* ======================================================================================
 * Tables.  Every name from every catalog becomes one `struct entry`; the roles it carries are
 * bits, so a name listed in several catalogs (gethostbyname: io and thread_unsafe) is one
 * entry with several roles.  Exact names sit in a sorted array (binary search); prefix
 * patterns ("PyMem_Raw*") in a second array, longest first.  A look-up takes each role from
 * the exact entry when it has that role, else from the longest prefix that has it: so
 * "PyThread_acquire_lock" gets its io role from its own entry and python_api=false from
 * "PyThread_*", and "PyObject_CallObject" gets cost=call from "PyObject_Call*", not cpu from
 * "Py*".
 * ==================================================================================== */

enum role {
    R_IO = 1u << 0,     /* io catalog */
    R_CPU = 1u << 1,    /* cpu catalog */
    R_GIL = 1u << 2,    /* gil catalog: effect, spawn_arg, noreturn */
    R_API = 1u << 3,    /* python_api catalog, "entries" */
    R_UNSAFE = 1u << 4, /* thread_unsafe catalog */
    R_MACRO = 1u << 5,  /* python_api catalog, "macros" */
    R_TABLE = 1u << 6,  /* python_api catalog, "entry_tables" */
    R_EFUNC = 1u << 7,  /* python_api catalog, "entry_funcs" */
    R_DOC = 1u << 8     /* documentation only (gil "macros", every "excluded"): validated, not kept */
};
#define FUNC_ROLES (R_IO | R_CPU | R_GIL | R_API | R_UNSAFE)
#define NROLE_BITS 8

struct entry {
    const char *name; /* in the rules arena; prefix patterns keep their '*' */
    size_t len;       /* prefix patterns: length without the '*' */
    bool prefix;
    unsigned roles;
    uint8_t io;       /* enum ca_io_kind */
    bool unbounded;
    bool rarely;      /* blocks only in unusual conditions: reported only in loops */
    int nb_zero;      /* nonblocking_if_zero: argument index, -1 when none */
    uint32_t weight;
    uint8_t gil;      /* enum ca_gil_effect */
    int spawn_arg;
    bool noreturn;
    bool sync_callbacks;
    bool forks;       /* returns 0 in a new child process (fork, vfork, forkpty) */
    bool api;
    uint8_t cost;     /* enum ca_api_cost */
    const char *borrowed; /* free threading: returns a borrowed reference; what to use instead */
    bool object_alloc;    /* free threading: object-domain allocator */
    const char *replacement;
    uint8_t macro;    /* enum ca_macro_role */
    /* only while loading: */
    size_t seq;       /* arrival order: a later record overrides an earlier one */
    size_t off;       /* offset of the name value in its file, for duplicate errors */
    unsigned section; /* index of the section in its catalog */
};

struct ca_rules {
    struct ca_arena arena;               /* names, replacements, metadata strings */
    struct entry *exact; size_t nexact;  /* sorted by name */
    struct entry *prefix; size_t nprefix;/* longest first, then by name */
    struct ca_rule_meta *meta; uint32_t nmeta; /* sorted by id */
};

/* Copy the roles `roles` of `src` into `dst`. */
static void take_roles(struct entry *dst, const struct entry *src, unsigned roles)
{
    if (roles & R_IO) { dst->io = src->io; dst->unbounded = src->unbounded; dst->rarely = src->rarely; dst->nb_zero = src->nb_zero; }
    if (roles & R_CPU) dst->weight = src->weight;
    if (roles & R_GIL) { dst->gil = src->gil; dst->spawn_arg = src->spawn_arg; dst->noreturn = src->noreturn; dst->sync_callbacks = src->sync_callbacks; dst->forks = src->forks; }
    if (roles & R_API) {
        dst->api = src->api;
        dst->cost = src->cost;
        dst->borrowed = src->borrowed;
        dst->object_alloc = src->object_alloc;
    }
    if (roles & R_UNSAFE) dst->replacement = src->replacement;
    if (roles & R_MACRO) dst->macro = src->macro;
    dst->roles |= roles;
}

static int cmp_name_seq(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_prefix(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Build the look-up arrays from `recs` (sorted and merged in place: records of one name are
 * folded into the first, a later record's roles replacing an earlier one's) and install them
 * in r.  r is unchanged on failure. */
static enum ca_status build_tables(struct ca_rules *r, struct entry *recs, size_t n)
{
    size_t w = 0, np = 0, ie = 0, ip = 0;
    struct entry *exact, *prefix;

    if (n > 1) qsort(recs, n, sizeof *recs, cmp_name_seq);
    for (size_t i = 0; i < n; i++) {
        if (w && strcmp(recs[w - 1].name, recs[i].name) == 0) take_roles(&recs[w - 1], &recs[i], recs[i].roles);
        else recs[w++] = recs[i];
    }
    for (size_t i = 0; i < w; i++) np += recs[i].prefix;
    exact = ca_malloc((w - np) * sizeof *exact);
    prefix = ca_malloc(np * sizeof *prefix);
    if (!exact || !prefix) {
        ca_free(exact);
        ca_free(prefix);
        return CA_ERR_NOMEM;
    }
    for (size_t i = 0; i < w; i++) {
        if (recs[i].prefix) prefix[ip++] = recs[i];
        else exact[ie++] = recs[i];
    }
    if (np > 1) qsort(prefix, np, sizeof *prefix, cmp_prefix);
    ca_free(r->exact);
    ca_free(r->prefix);
    r->exact = exact;
    r->nexact = ie;
    r->prefix = prefix;
    r->nprefix = ip;
    return CA_OK;
}

static int cmp_key_entry(const void *key, const void *elem)
{
    return strcmp(key, ((const struct entry *)elem)->name);
}

static unsigned bit_index(unsigned bit)
{
    unsigned i = 0;
    while (bit > 1) { bit >>= 1; i++; }
    return i;
}

/* For each role in `want`, the entry that supplies it for `name` (or NULL): the exact entry if
 * it has the role, else the longest matching prefix pattern that has it.  Returns the roles
 * found.  Read-only on r: safe from any number of threads. */
static unsigned resolve(const struct ca_rules *r, const char *name, unsigned want,
                        const struct entry *src[NROLE_BITS])
{
    unsigned got = 0;
    const struct entry *e = bsearch(name, r->exact, r->nexact, sizeof *r->exact, cmp_key_entry);
    if (e && (e->roles & want)) {
        got = e->roles & want;
        for (unsigned b = got; b; b &= b - 1) src[bit_index(b & -b)] = e;
    }
    for (size_t i = 0; i < r->nprefix && got != want; i++) {
        const struct entry *p = &r->prefix[i];
        unsigned take = p->roles & want & ~got;
        if (!take || strncmp(name, p->name, p->len) != 0) continue;
        for (unsigned b = take; b; b &= b - 1) src[bit_index(b & -b)] = p;
        got |= take;
    }
    return got;
}

/* ======================================================================================
 * Schema: what each catalog file may contain.  Tables, not code, so that the "expected one
 * of" lists in messages and the checks cannot drift apart.  ORDER CATALOG: the file of a
 * catalog is rules/<name>.json.
 * ==================================================================================== */

enum slot { S_NAME, S_NOTE, S_KIND, S_UNBOUNDED, S_RARELY, S_NBZERO, S_WEIGHT, S_EFFECT, S_SPAWN, S_NORETURN, S_SYNCCB, S_FORKS, S_BORROWED, S_OBJALLOC,
            S_API, S_COST, S_REPLACEMENT, S_ROLE, S_EXPANDS };
enum vtype { V_STR, V_BOOL, V_INT, V_ENUM, V_STR_OR_NULL };
enum { F_REQUIRED = 1, F_ROLE = 2 /* an entry must give at least one F_ROLE field */ };

struct field {
    const char *key;
    enum slot slot;
    enum vtype type;
    unsigned flags;
    int lo, hi;                /* V_INT */
    const char *const *names;  /* V_ENUM: NULL-terminated, index = enum value */
};

struct section {
    const char *key;
    unsigned role;
    const struct field *fields; /* terminated by a NULL key */
};

struct catalog {
    const char *name;
    const struct section *sections; /* terminated by a NULL key; [0] is "entries" */
};

#define CATALOG_FORMAT_VERSION 1

static const char *const io_kind_names[] = { /* ORDER IOKIND */
    "none", "file", "net", "poll", "sleep", "wait", "db", "http", "tls", "dns", "process", "terminal", "console", NULL};
static const char *const gil_effect_names[] = { /* ORDER GILEFFECT */
    "none", "release", "acquire", "ensure", "ensure-release", NULL};
static const char *const api_cost_names[] = {"cpu", "call", "io", NULL}; /* ORDER APICOST */
static const char *const macro_role_names[] = {"unknown", "needs-gil", "no-gil", NULL}; /* ORDER MACRO */

#define NAME_FIELD {"name", S_NAME, V_STR, F_REQUIRED, 0, 0, NULL}
#define NOTE_FIELD {"note", S_NOTE, V_STR, 0, 0, 0, NULL}
#define END_FIELD {NULL, S_NOTE, V_STR, 0, 0, 0, NULL}

static const struct field io_fields[] = {
    NAME_FIELD,
    {"kind", S_KIND, V_ENUM, F_REQUIRED, 0, 0, io_kind_names},
    {"unbounded", S_UNBOUNDED, V_BOOL, 0, 0, 0, NULL},
    {"rarely", S_RARELY, V_BOOL, 0, 0, 0, NULL},
    {"nonblocking_if_zero", S_NBZERO, V_INT, 0, 0, 31, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field cpu_fields[] = {
    NAME_FIELD,
    {"weight", S_WEIGHT, V_INT, F_REQUIRED, 0, 100, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field gil_fields[] = {
    NAME_FIELD,
    {"effect", S_EFFECT, V_ENUM, F_ROLE, 0, 0, gil_effect_names},
    {"spawn_arg", S_SPAWN, V_INT, F_ROLE, -1, 15, NULL},
    {"noreturn", S_NORETURN, V_BOOL, F_ROLE, 0, 0, NULL},
    {"sync_callbacks", S_SYNCCB, V_BOOL, F_ROLE, 0, 0, NULL},
    {"forks", S_FORKS, V_BOOL, F_ROLE, 0, 0, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field gil_macro_fields[] = {
    NAME_FIELD,
    {"effect", S_EFFECT, V_ENUM, F_REQUIRED, 0, 0, gil_effect_names},
    {"expands_to", S_EXPANDS, V_STR, F_REQUIRED, 0, 0, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field api_fields[] = {
    NAME_FIELD,
    {"api", S_API, V_BOOL, 0, 0, 0, NULL},
    {"cost", S_COST, V_ENUM, 0, 0, 0, api_cost_names},
    {"borrowed", S_BORROWED, V_STR, 0, 0, 0, NULL},
    {"object_alloc", S_OBJALLOC, V_BOOL, 0, 0, 0, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field api_macro_fields[] = {
    NAME_FIELD,
    {"role", S_ROLE, V_ENUM, F_REQUIRED, 0, 0, macro_role_names},
    NOTE_FIELD, END_FIELD};
static const struct field name_note_fields[] = {NAME_FIELD, NOTE_FIELD, END_FIELD};
static const struct field unsafe_fields[] = {
    NAME_FIELD,
    {"replacement", S_REPLACEMENT, V_STR_OR_NULL, F_REQUIRED, 0, 0, NULL},
    NOTE_FIELD, END_FIELD};
static const struct field excluded_fields[] = {
    NAME_FIELD,
    {"note", S_NOTE, V_STR, F_REQUIRED, 0, 0, NULL},
    END_FIELD};

#define EXCLUDED_SECTION {"excluded", R_DOC, excluded_fields}
#define END_SECTION {NULL, 0, NULL}

static const struct section io_sections[] = {{"entries", R_IO, io_fields}, EXCLUDED_SECTION, END_SECTION};
static const struct section cpu_sections[] = {{"entries", R_CPU, cpu_fields}, EXCLUDED_SECTION, END_SECTION};
static const struct section gil_sections[] = {
    {"entries", R_GIL, gil_fields}, {"macros", R_DOC, gil_macro_fields}, EXCLUDED_SECTION, END_SECTION};
static const struct section api_sections[] = {
    {"entries", R_API, api_fields},
    {"macros", R_MACRO, api_macro_fields},
    {"entry_tables", R_TABLE, name_note_fields},
    {"entry_funcs", R_EFUNC, name_note_fields},
    EXCLUDED_SECTION, END_SECTION};
static const struct section unsafe_sections[] = {{"entries", R_UNSAFE, unsafe_fields}, EXCLUDED_SECTION, END_SECTION};

static const struct catalog catalogs[] = { /* ORDER CATALOG */
    {"io", io_sections},
    {"cpu", cpu_sections},
    {"gil", gil_sections},
    {"python_api", api_sections},
    {"thread_unsafe", unsafe_sections},
};
#define NCATALOGS (sizeof catalogs / sizeof catalogs[0])

static const char *const top_keys[] = {"catalog", "version", "description", NULL};

/* ======================================================================================
 * Errors
 * ==================================================================================== */

/* One file being read: its text stays alive while its tree is checked, so that errors can
 * turn offsets into line:col. */
struct src {
    struct ca_rules *r;
    const char *path;
    const char *text;
    size_t len;
    struct ca_rules_error *err;
};

void ca_rules_error_fini(struct ca_rules_error *e)
{
    if (!e) return;
    ca_free(e->file);
    ca_free(e->message);
    memset(e, 0, sizeof *e);
}

/* Fill *err (when given) and return st; CA_ERR_NOMEM when the message cannot be built. */
static enum ca_status verror(struct ca_rules_error *err, enum ca_status st, const char *path,
                             const char *text, size_t len, size_t off, const char *fmt, va_list ap)
{
    struct ca_buf b;
    if (!err) return st;
    ca_rules_error_fini(err);
    ca_buf_init(&b);
    ca_buf_vprintf(&b, fmt, ap);
    err->message = ca_buf_take(&b);
    err->file = ca_strdup(path);
    if (text) ca_json_line_col(text, len, off, &err->line, &err->col);
    if (!err->message || !err->file) {
        ca_rules_error_fini(err);
        return CA_ERR_NOMEM;
    }
    return st;
}

/* An error at byte `off` of the file. */
static enum ca_status fail_at(const struct src *f, enum ca_status st, size_t off, const char *fmt, ...) CA_PRINTF(4, 5);
static enum ca_status fail_at(const struct src *f, enum ca_status st, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st = verror(f->err, st, f->path, f->text, f->len, off, fmt, ap);
    va_end(ap);
    return st;
}

/* An error about a whole file (no position). */
static enum ca_status fail_file(struct ca_rules_error *err, enum ca_status st, const char *path, const char *fmt, ...) CA_PRINTF(4, 5);
static enum ca_status fail_file(struct ca_rules_error *err, enum ca_status st, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st = verror(err, st, path, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

/* "a, b, c" from one or two NULL-terminated lists, into a caller buffer (messages only:
 * a list too long for the buffer is cut at a name boundary). */
static const char *join_names(char *buf, size_t cap, const char *const *names, const char *const *more)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++)
        for (const char *const *s = pass ? more : names; s && *s; s++) {
            int k = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", *s);
            if (k < 0 || (size_t)k >= cap - n) {
                buf[n] = '\0';
                return buf;
            }
            n += (size_t)k;
        }
    return buf;
}

static enum ca_status unknown_key(const struct src *f, const struct ca_json *m, const struct field *fields)
{
    const char *names[16];
    char buf[256];
    size_t k = 0;
    for (; fields[k].key && k + 1 < sizeof names / sizeof names[0]; k++) names[k] = fields[k].key;
    names[k] = NULL;
    return fail_at(f, CA_ERR_CONFIG, m->key_off, "unknown key \"%s\" (expected one of: %s)", m->key,
                   join_names(buf, sizeof buf, names, NULL));
}

static enum ca_status wrong_type(const struct src *f, const struct ca_json *v, const char *key, const char *want)
{
    return fail_at(f, CA_ERR_CONFIG, v->off, "expected %s for \"%s\", not %s", want, key, ca_json_type_name(v->type));
}

/* ======================================================================================
 * Catalog files
 * ==================================================================================== */

/* A C identifier, optionally ending in '*' (a prefix pattern). */
static bool valid_name(const char *s, bool allow_prefix)
{
    size_t i = 0;
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
    for (i = 1; s[i]; i++) {
        char c = s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') continue;
        return allow_prefix && c == '*' && s[i + 1] == '\0';
    }
    return true;
}

static int find_enum(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

/* Check one member of an entry against its field and store it in *e. */
static enum ca_status set_field(const struct src *f, const struct field *fd, const struct ca_json *v, struct entry *e)
{
    char buf[256];
    const char *s = NULL;
    int ival = 0;
    bool bval = false;

    switch (fd->type) {
    case V_STR:
        if (v->type != CA_JSON_STR) return wrong_type(f, v, fd->key, "a string");
        s = v->str;
        break;
    case V_STR_OR_NULL:
        if (v->type != CA_JSON_STR && v->type != CA_JSON_NULL) return wrong_type(f, v, fd->key, "a string or null");
        s = v->type == CA_JSON_STR ? v->str : NULL;
        break;
    case V_BOOL:
        if (v->type != CA_JSON_BOOL) return wrong_type(f, v, fd->key, "a boolean");
        bval = v->b;
        break;
    case V_INT:
        if (v->type != CA_JSON_NUM) return wrong_type(f, v, fd->key, "an integer");
        if (!ca_json_is_int(v) || v->num < fd->lo || v->num > fd->hi)
            return fail_at(f, CA_ERR_CONFIG, v->off, "\"%s\" must be an integer from %d to %d", fd->key, fd->lo, fd->hi);
        ival = (int)v->num;
        break;
    case V_ENUM:
        if (v->type != CA_JSON_STR) return wrong_type(f, v, fd->key, "a string");
        if ((ival = find_enum(fd->names, v->str)) < 0)
            return fail_at(f, CA_ERR_CONFIG, v->off, "invalid value \"%s\" for \"%s\" (expected one of: %s)", v->str,
                           fd->key, join_names(buf, sizeof buf, fd->names, NULL));
        break;
    }

    switch (fd->slot) {
    case S_NAME:
        if (!valid_name(s, true))
            return fail_at(f, CA_ERR_CONFIG, v->off,
                           "invalid name \"%s\" (expected a C identifier, optionally ending in '*')", s);
        if (!(e->name = ca_arena_strdup(&f->r->arena, s))) return CA_ERR_NOMEM;
        e->len = strlen(s);
        e->prefix = s[e->len - 1] == '*';
        if (e->prefix) e->len--;
        e->off = v->off;
        break;
    case S_EXPANDS:
        if (!valid_name(s, false))
            return fail_at(f, CA_ERR_CONFIG, v->off, "invalid function name \"%s\" for \"%s\"", s, fd->key);
        break;
    case S_REPLACEMENT:
        if (s && !*s) return fail_at(f, CA_ERR_CONFIG, v->off, "\"replacement\" must not be empty (use null for none)");
        if (s && !(e->replacement = ca_arena_strdup(&f->r->arena, s))) return CA_ERR_NOMEM;
        break;
    case S_NOTE:
        if (!*s) return fail_at(f, CA_ERR_CONFIG, v->off, "\"note\" must not be empty");
        break;
    case S_BORROWED:
        if (!*s) return fail_at(f, CA_ERR_CONFIG, v->off, "\"borrowed\" must name the replacement");
        if (!(e->borrowed = ca_arena_strdup(&f->r->arena, s))) return CA_ERR_NOMEM;
        break;
    case S_OBJALLOC: e->object_alloc = bval; break;
    case S_KIND: e->io = (uint8_t)ival; break;
    case S_UNBOUNDED: e->unbounded = bval; break;
    case S_RARELY: e->rarely = bval; break;
    case S_NBZERO: e->nb_zero = ival; break;
    case S_WEIGHT: e->weight = (uint32_t)ival; break;
    case S_EFFECT: e->gil = (uint8_t)ival; break;
    case S_SPAWN: e->spawn_arg = ival; break;
    case S_NORETURN: e->noreturn = bval; break;
    case S_SYNCCB: e->sync_callbacks = bval; break;
    case S_FORKS: e->forks = bval; break;
    case S_API: e->api = bval; break;
    case S_COST: e->cost = (uint8_t)ival; break;
    case S_ROLE: e->macro = (uint8_t)ival; break;
    }
    return CA_OK;
}

/* One element of a section array into *e. */
static enum ca_status read_entry(const struct src *f, const struct section *sec, const struct ca_json *obj, struct entry *e)
{
    unsigned seen = 0;
    bool has_role_field = false, role_given = false;
    enum ca_status st;

    memset(e, 0, sizeof *e);
    e->spawn_arg = -1;
    e->nb_zero = -1;
    e->api = true;
    if (obj->type != CA_JSON_OBJ)
        return fail_at(f, CA_ERR_CONFIG, obj->off, "expected an object in \"%s\", not %s", sec->key, ca_json_type_name(obj->type));
    for (const struct ca_json *m = obj->child; m; m = m->next) {
        unsigned k = 0;
        while (sec->fields[k].key && strcmp(sec->fields[k].key, m->key) != 0) k++;
        if (!sec->fields[k].key) return unknown_key(f, m, sec->fields);
        if (seen & 1u << k) return fail_at(f, CA_ERR_CONFIG, m->key_off, "duplicate key \"%s\"", m->key);
        seen |= 1u << k;
        if ((st = set_field(f, &sec->fields[k], m, e)) != CA_OK) return st;
    }
    for (unsigned k = 0; sec->fields[k].key; k++) {
        const struct field *fd = &sec->fields[k];
        if ((fd->flags & F_REQUIRED) && !(seen & 1u << k))
            return fail_at(f, CA_ERR_CONFIG, obj->off, "missing \"%s\" in this entry of \"%s\"", fd->key, sec->key);
        if (fd->flags & F_ROLE) {
            has_role_field = true;
            role_given |= (seen & 1u << k) != 0;
        }
    }
    if (has_role_field && !role_given) {
        const char *names[8];
        char buf[128];
        size_t n = 0;
        for (unsigned k = 0; sec->fields[k].key && n + 1 < 8; k++)
            if (sec->fields[k].flags & F_ROLE) names[n++] = sec->fields[k].key;
        names[n] = NULL;
        return fail_at(f, CA_ERR_CONFIG, obj->off, "entry \"%s\" has no role (give at least one of: %s)", e->name,
                       join_names(buf, sizeof buf, names, NULL));
    }
    e->roles = sec->role;
    return CA_OK;
}

struct recs {
    struct entry *v;
    size_t n, cap;
};

static int cmp_name_off(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Within one file: a name twice in one section is an error, and so is a name both in
 * "entries" and in "excluded".  The same name in different sections is fine (PyInit_* can be
 * an entry function and a Python API name).  Sorts v[0..n) by name. */
static enum ca_status check_duplicates(const struct src *f, const struct catalog *cat, struct entry *v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof *v, cmp_name_off);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && strcmp(v[i].name, v[j].name) == 0; j++) {
            uint32_t line, col;
            const char *a = cat->sections[v[i].section].key, *b = cat->sections[v[j].section].key;
            ca_json_line_col(f->text, f->len, v[i].off, &line, &col);
            if (v[i].section == v[j].section)
                return fail_at(f, CA_ERR_CONFIG, v[j].off, "duplicate name \"%s\" in \"%s\" (first at line %u)",
                               v[j].name, b, line);
            if ((v[i].section == 0 && strcmp(b, "excluded") == 0) || (v[j].section == 0 && strcmp(a, "excluded") == 0))
                return fail_at(f, CA_ERR_CONFIG, v[j].off, "\"%s\" is in both \"%s\" and \"%s\" (first at line %u)",
                               v[j].name, a, b, line);
        }
    return CA_OK;
}

/* Check a catalog document and append its entries (not the documentation-only ones) to out.
 * `want` is the catalog this file must hold, or NULL for any (user files). */
static enum ca_status read_catalog(const struct src *f, const struct ca_json *root, const struct catalog *want,
                                   struct recs *out)
{
    const struct catalog *cat = NULL;
    const struct ca_json *catv = NULL;
    struct recs mine = {0};
    unsigned seen = 0; /* bit k: top_keys[k] for k < 3, then sections */
    enum ca_status st = CA_OK;
    char buf[256];
    const char *names[NCATALOGS + 1];
    const char *sec_names[8];
    size_t nsec = 0;

    if (root->type != CA_JSON_OBJ)
        return fail_at(f, CA_ERR_CONFIG, root->off, "expected an object at the top level, not %s", ca_json_type_name(root->type));
    for (size_t i = 0; i < NCATALOGS; i++) names[i] = catalogs[i].name;
    names[NCATALOGS] = NULL;
    for (const struct ca_json *m = root->child; m; m = m->next)
        if (strcmp(m->key, "catalog") == 0 && !catv) catv = m;
    if (!catv)
        return fail_at(f, CA_ERR_CONFIG, root->off, "missing \"catalog\" (one of: %s)", join_names(buf, sizeof buf, names, NULL));
    if (catv->type != CA_JSON_STR) return wrong_type(f, catv, "catalog", "a string");
    for (size_t i = 0; i < NCATALOGS; i++)
        if (strcmp(catalogs[i].name, catv->str) == 0) cat = &catalogs[i];
    if (!cat)
        return fail_at(f, CA_ERR_CONFIG, catv->off, "invalid value \"%s\" for \"catalog\" (expected one of: %s)",
                       catv->str, join_names(buf, sizeof buf, names, NULL));
    if (want && cat != want)
        return fail_at(f, CA_ERR_CONFIG, catv->off, "this file must hold the \"%s\" catalog, not \"%s\"", want->name,
                       cat->name);
    for (; cat->sections[nsec].key; nsec++) sec_names[nsec] = cat->sections[nsec].key;
    sec_names[nsec] = NULL;

    for (const struct ca_json *m = root->child; m; m = m->next) {
        unsigned k = 0, s = 0;
        while (top_keys[k] && strcmp(top_keys[k], m->key) != 0) k++;
        if (!top_keys[k]) {
            while (cat->sections[s].key && strcmp(cat->sections[s].key, m->key) != 0) s++;
            if (!cat->sections[s].key) {
                st = fail_at(f, CA_ERR_CONFIG, m->key_off, "unknown key \"%s\" (expected one of: %s)", m->key,
                             join_names(buf, sizeof buf, top_keys, sec_names));
                goto out;
            }
            k = 3 + s;
        }
        if (seen & 1u << k) {
            st = fail_at(f, CA_ERR_CONFIG, m->key_off, "duplicate key \"%s\"", m->key);
            goto out;
        }
        seen |= 1u << k;
        if (k == 1) {
            if (m->type != CA_JSON_NUM || !ca_json_is_int(m)) { st = wrong_type(f, m, "version", "an integer"); goto out; }
            if (m->num != CATALOG_FORMAT_VERSION) {
                st = fail_at(f, CA_ERR_CONFIG, m->off, "unsupported version %lld (this concadvise reads version %d)",
                             (long long)m->num, CATALOG_FORMAT_VERSION);
                goto out;
            }
        } else if (k == 2) {
            if (m->type != CA_JSON_STR) { st = wrong_type(f, m, "description", "a string"); goto out; }
        } else if (k >= 3) {
            const struct section *sec = &cat->sections[s];
            if (m->type != CA_JSON_ARR) { st = wrong_type(f, m, sec->key, "an array"); goto out; }
            for (const struct ca_json *el = m->child; el; el = el->next) {
                struct entry e;
                if ((st = read_entry(f, sec, el, &e)) != CA_OK) goto out;
                e.section = s;
                CA_PUSH(st, mine.v, mine.n, mine.cap, e);
                if (st != CA_OK) goto out;
            }
        }
    }
    if (!(seen & 1u << 1)) { st = fail_at(f, CA_ERR_CONFIG, root->off, "missing \"version\""); goto out; }
    if (!(seen & 1u << 3)) { st = fail_at(f, CA_ERR_CONFIG, root->off, "missing \"entries\""); goto out; }
    if ((st = check_duplicates(f, cat, mine.v, mine.n)) != CA_OK) goto out;
    for (size_t i = 0; i < mine.n; i++) {
        if (mine.v[i].roles & R_DOC) continue;
        mine.v[i].seq = out->n;
        CA_PUSH(st, out->v, out->n, out->cap, mine.v[i]);
        if (st != CA_OK) goto out;
    }
out:
    ca_free(mine.v);
    return st;
}

/* Read `path` into f->text; a missing file is CA_ERR_CONFIG when `required` (a built-in
 * catalog), else CA_ERR_IO. */
static enum ca_status read_text(struct src *f, bool required)
{
    char *text = NULL;
    enum ca_status st = ca_file_read(f->path, &text, &f->len);
    int e = errno;
    if (st == CA_ERR_NOMEM) return st;
    if (st != CA_OK) {
        if (required && e == ENOENT) return fail_file(f->err, CA_ERR_CONFIG, f->path, "missing catalog file");
        return fail_file(f->err, CA_ERR_IO, f->path, "cannot read the file");
    }
    f->text = text;
    return CA_OK;
}

/* Parse the JSON of f into a tree in `arena`. */
static enum ca_status parse_src(const struct src *f, struct ca_arena *arena, struct ca_json **root)
{
    struct ca_json_error jerr;
    enum ca_status st = ca_json_parse(f->text, f->len, arena, root, &jerr);
    if (st == CA_ERR_PARSE) return fail_at(f, CA_ERR_PARSE, jerr.off, "%s", jerr.message);
    return st;
}

static enum ca_status load_catalog_file(struct ca_rules *r, const char *path, const struct catalog *want,
                                        struct recs *out, struct ca_rules_error *err)
{
    struct src f = {r, path, NULL, 0, err};
    struct ca_arena arena;
    struct ca_json *root = NULL;
    enum ca_status st;

    ca_arena_init(&arena);
    if ((st = read_text(&f, want != NULL)) != CA_OK) goto out;
    if ((st = parse_src(&f, &arena, &root)) != CA_OK) goto out;
    st = read_catalog(&f, root, want, out);
out:
    ca_arena_fini(&arena);
    ca_free((char *)f.text);
    return st;
}

/* ======================================================================================
 * Rule metadata files: rules/checks/<id>.json
 * ==================================================================================== */

static const char *const meta_keys[] = {"id", "name", "severity", "title", "summary", "description",
                                        "help", "doc", "samples", NULL};
enum { M_ID, M_NAME, M_SEVERITY, M_TITLE, M_SUMMARY, M_DESCRIPTION, M_HELP, M_DOC, M_SAMPLES, M_COUNT };
static const char *const severity_names[] = {"error", "warning", "note", NULL};
/* "concadvise-" is the tool's own family: findings about concadvise's input rather than the
 * code (suppression comments). */
static const char *const family_prefixes[] = {"gil-", "io-", "mt-", "ft-", "advise-", "concadvise-", NULL};
static const char *const sample_keys[] = {"positive", "negative", NULL};

/* Stable kebab-case with a family prefix: gil-blocking-io-held. */
static bool valid_id(const char *s)
{
    bool family = false;
    for (const char *const *p = family_prefixes; *p; p++)
        if (strncmp(s, *p, strlen(*p)) == 0 && s[strlen(*p)]) family = true;
    if (!family) return false;
    for (size_t i = 0; s[i]; i++) {
        bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
        if (!alnum && !(s[i] == '-' && i > 0 && s[i - 1] != '-' && s[i + 1])) return false;
    }
    return true;
}

static bool valid_pascal(const char *s)
{
    if (!(s[0] >= 'A' && s[0] <= 'Z')) return false;
    for (size_t i = 1; s[i]; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return false;
    return true;
}

/* A list of sample paths: an array of "samples/..." strings. */
static enum ca_status read_sample_list(const struct src *f, const struct ca_json *v, const char *key,
                                       const char *const **out, uint32_t *nout)
{
    uint32_t n = 0, i = 0;
    const char **list;
    if (v->type != CA_JSON_ARR) return wrong_type(f, v, key, "an array");
    for (const struct ca_json *e = v->child; e; e = e->next) n++;
    if (!(list = ca_arena_alloc(&f->r->arena, (n ? n : 1) * sizeof *list))) return CA_ERR_NOMEM;
    for (const struct ca_json *e = v->child; e; e = e->next) {
        if (e->type != CA_JSON_STR)
            return fail_at(f, CA_ERR_CONFIG, e->off, "expected a string in \"%s\", not %s", key, ca_json_type_name(e->type));
        if (strncmp(e->str, "samples/", 8) != 0 || !e->str[8] || strstr(e->str, ".."))
            return fail_at(f, CA_ERR_CONFIG, e->off, "sample path \"%s\" must lie under samples/", e->str);
        if (!(list[i++] = ca_arena_strdup(&f->r->arena, e->str))) return CA_ERR_NOMEM;
    }
    *out = list;
    *nout = n;
    return CA_OK;
}

static enum ca_status read_samples(const struct src *f, const struct ca_json *v, struct ca_rule_meta *m)
{
    const struct ca_json *got[2] = {NULL, NULL};
    enum ca_status st;
    char buf[64];
    if (v->type != CA_JSON_OBJ) return wrong_type(f, v, "samples", "an object");
    for (const struct ca_json *e = v->child; e; e = e->next) {
        int k = find_enum(sample_keys, e->key);
        if (k < 0)
            return fail_at(f, CA_ERR_CONFIG, e->key_off, "unknown key \"%s\" (expected one of: %s)", e->key,
                           join_names(buf, sizeof buf, sample_keys, NULL));
        if (got[k]) return fail_at(f, CA_ERR_CONFIG, e->key_off, "duplicate key \"%s\"", e->key);
        got[k] = e;
    }
    for (int k = 0; k < 2; k++)
        if (!got[k]) return fail_at(f, CA_ERR_CONFIG, v->off, "missing \"%s\" in \"samples\"", sample_keys[k]);
    if ((st = read_sample_list(f, got[0], "positive", &m->positive, &m->npositive)) != CA_OK) return st;
    return read_sample_list(f, got[1], "negative", &m->negative, &m->nnegative);
}

/* Check one rule document; `file_id` is the file name without ".json". */
static enum ca_status read_meta(const struct src *f, const struct ca_json *root, const char *file_id, struct ca_rule_meta *m)
{
    const struct ca_json *got[M_COUNT] = {NULL};
    const char **str[M_COUNT] = {&m->id, &m->name, &m->severity, &m->title, &m->summary, &m->description,
                                 &m->help, &m->doc, NULL};
    char buf[256];
    enum ca_status st;

    memset(m, 0, sizeof *m);
    if (root->type != CA_JSON_OBJ)
        return fail_at(f, CA_ERR_CONFIG, root->off, "expected an object at the top level, not %s", ca_json_type_name(root->type));
    for (const struct ca_json *e = root->child; e; e = e->next) {
        int k = find_enum(meta_keys, e->key);
        if (k < 0)
            return fail_at(f, CA_ERR_CONFIG, e->key_off, "unknown key \"%s\" (expected one of: %s)", e->key,
                           join_names(buf, sizeof buf, meta_keys, NULL));
        if (got[k]) return fail_at(f, CA_ERR_CONFIG, e->key_off, "duplicate key \"%s\"", e->key);
        got[k] = e;
        if (k == M_SAMPLES) {
            if ((st = read_samples(f, e, m)) != CA_OK) return st;
            continue;
        }
        if (e->type != CA_JSON_STR) return wrong_type(f, e, e->key, "a string");
        if (!e->str[0]) return fail_at(f, CA_ERR_CONFIG, e->off, "\"%s\" must not be empty", e->key);
        if (!(*str[k] = ca_arena_strdup(&f->r->arena, e->str))) return CA_ERR_NOMEM;
    }
    for (int k = 0; k < M_COUNT; k++)
        if (!got[k]) return fail_at(f, CA_ERR_CONFIG, root->off, "missing \"%s\"", meta_keys[k]);
    if (!valid_id(m->id))
        return fail_at(f, CA_ERR_CONFIG, got[M_ID]->off,
                       "invalid id \"%s\" (expected kebab-case with a family prefix: %s)", m->id,
                       join_names(buf, sizeof buf, family_prefixes, NULL));
    if (strcmp(m->id, file_id) != 0)
        return fail_at(f, CA_ERR_CONFIG, got[M_ID]->off, "id \"%s\" does not match the file name \"%s.json\"", m->id, file_id);
    if (!valid_pascal(m->name))
        return fail_at(f, CA_ERR_CONFIG, got[M_NAME]->off, "invalid name \"%s\" (expected PascalCase)", m->name);
    if (find_enum(severity_names, m->severity) < 0)
        return fail_at(f, CA_ERR_CONFIG, got[M_SEVERITY]->off, "invalid value \"%s\" for \"severity\" (expected one of: %s)",
                       m->severity, join_names(buf, sizeof buf, severity_names, NULL));
    if (strncmp(m->doc, "docs/rules/", 11) != 0 || strncmp(m->doc + 11, m->id, strlen(m->id)) != 0 ||
        strcmp(m->doc + 11 + strlen(m->id), ".md") != 0)
        return fail_at(f, CA_ERR_CONFIG, got[M_DOC]->off, "\"doc\" must be \"docs/rules/%s.md\"", m->id);
    return CA_OK;
}

static char *path_join(const char *dir, const char *name)
{
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s/%s", dir, name);
    return ca_buf_take(&b);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_meta(const void *a, const void *b)
{
    return strcmp(((const struct ca_rule_meta *)a)->id, ((const struct ca_rule_meta *)b)->id);
}

/* Every *.json in dir/checks, in name order.  Hidden files and other names are skipped. */
static enum ca_status load_checks(struct ca_rules *r, const char *dir, struct ca_rules_error *err)
{
    char *cdir = path_join(dir, "checks"), *path = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0, mcap = 0;
    enum ca_status st = CA_OK;
    struct ca_arena arena;
    DIR *d;
    struct dirent *de;

    ca_arena_init(&arena);
    if (!cdir) return CA_ERR_NOMEM;
    if (!(d = opendir(cdir))) {
        st = fail_file(err, errno == ENOENT ? CA_ERR_CONFIG : CA_ERR_IO, cdir,
                       errno == ENOENT ? "missing rule directory" : "cannot read the directory");
        goto out;
    }
    while ((de = readdir(d))) { /* our own DIR stream: readdir is safe here */
        size_t len = strlen(de->d_name);
        char *copy;
        if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0) continue;
        if (!(copy = ca_strdup(de->d_name))) { st = CA_ERR_NOMEM; break; }
        CA_PUSH(st, names, n, cap, copy);
        if (st != CA_OK) { ca_free(copy); break; }
    }
    closedir(d);
    if (st != CA_OK) goto out;
    if (n > 1) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct src f = {r, NULL, NULL, 0, err};
        struct ca_json *root;
        struct ca_rule_meta m;
        ca_free(path);
        if (!(path = path_join(cdir, names[i]))) { st = CA_ERR_NOMEM; goto out; }
        f.path = path;
        names[i][strlen(names[i]) - 5] = '\0'; /* the id the file must declare */
        if ((st = read_text(&f, false)) != CA_OK) goto out;
        st = parse_src(&f, &arena, &root);
        if (st == CA_OK) st = read_meta(&f, root, names[i], &m);
        ca_free((char *)f.text);
        ca_arena_fini(&arena);
        if (st != CA_OK) goto out;
        CA_PUSH(st, r->meta, r->nmeta, mcap, m);
        if (st != CA_OK) goto out;
    }
    if (r->nmeta > 1) qsort(r->meta, r->nmeta, sizeof *r->meta, cmp_meta);
out:
    for (size_t i = 0; i < n; i++) ca_free(names[i]);
    ca_free(names);
    ca_free(path);
    ca_free(cdir);
    ca_arena_fini(&arena);
    return st;
}

/* ======================================================================================
 * Public API
 * ==================================================================================== */

enum ca_status ca_rules_load(const char *dir, struct ca_rules **out, struct ca_rules_error *err)
{
    struct ca_rules *r;
    struct recs recs = {0};
    enum ca_status st = CA_OK;

    *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (!(r = ca_calloc(1, sizeof *r))) return CA_ERR_NOMEM;
    ca_arena_init(&r->arena);
    for (size_t i = 0; i < NCATALOGS && st == CA_OK; i++) {
        char file[64], *path;
        snprintf(file, sizeof file, "%s.json", catalogs[i].name);
        if (!(path = path_join(dir, file))) { st = CA_ERR_NOMEM; break; }
        st = load_catalog_file(r, path, &catalogs[i], &recs, err);
        ca_free(path);
    }
    if (st == CA_OK) st = build_tables(r, recs.v, recs.n);
    if (st == CA_OK) st = load_checks(r, dir, err);
    ca_free(recs.v);
    if (st != CA_OK) {
        ca_rules_free(r);
        return st;
    }
    *out = r;
    return CA_OK;
}

/* The current tables go first into the record list, so the user file's records come later and
 * override them name by name, role by role.  r is unchanged on failure (except that its arena
 * may hold a few unused strings). */
enum ca_status ca_rules_load_extra(struct ca_rules *r, const char *path, struct ca_rules_error *err)
{
    struct recs recs = {0};
    enum ca_status st;

    if (err) memset(err, 0, sizeof *err);
    if (!r || !path) return CA_ERR_USAGE;
    if ((st = ca_grow((void **)&recs.v, &recs.cap, r->nexact + r->nprefix, sizeof *recs.v)) != CA_OK) return st;
    for (size_t i = 0; i < r->nexact; i++) recs.v[recs.n++] = r->exact[i];
    for (size_t i = 0; i < r->nprefix; i++) recs.v[recs.n++] = r->prefix[i];
    for (size_t i = 0; i < recs.n; i++) recs.v[i].seq = i;
    st = load_catalog_file(r, path, NULL, &recs, err);
    if (st == CA_OK) st = build_tables(r, recs.v, recs.n);
    ca_free(recs.v);
    return st;
}

void ca_rules_free(struct ca_rules *r)
{
    if (!r) return;
    ca_arena_fini(&r->arena);
    ca_free(r->exact);
    ca_free(r->prefix);
    ca_free(r->meta);
    ca_free(r);
}

bool ca_rules_find_func(const struct ca_rules *r, const char *name, struct ca_func_info *info)
{
    const struct entry *src[NROLE_BITS] = {NULL};
    const struct entry *best = NULL;
    unsigned got;

    memset(info, 0, sizeof *info);
    info->spawn_arg = -1;
    info->nonblocking_if_zero = -1;
    if (!r || !name) return false;
    if (!(got = resolve(r, name, FUNC_ROLES, src))) return false;
    for (unsigned b = 0; b < NROLE_BITS; b++) /* report the most specific entry that contributed */
        if (src[b] && (!best || (best->prefix && (!src[b]->prefix || src[b]->len > best->len)))) best = src[b];
    info->name = best->name;
    if (got & R_IO) {
        info->io = (enum ca_io_kind)src[bit_index(R_IO)]->io;
        info->io_unbounded = src[bit_index(R_IO)]->unbounded;
        info->io_rarely = src[bit_index(R_IO)]->rarely;
        info->nonblocking_if_zero = src[bit_index(R_IO)]->nb_zero;
    }
    if (got & R_CPU) info->cpu_weight = src[bit_index(R_CPU)]->weight;
    if (got & R_GIL) {
        const struct entry *e = src[bit_index(R_GIL)];
        info->gil = (enum ca_gil_effect)e->gil;
        info->spawn_arg = e->spawn_arg;
        info->noreturn = e->noreturn;
        info->sync_callbacks = e->sync_callbacks;
        info->forks = e->forks;
    }
    if (got & R_API) {
        info->python_api = src[bit_index(R_API)]->api;
        info->api_cost = (enum ca_api_cost)src[bit_index(R_API)]->cost;
        info->ft_borrowed = src[bit_index(R_API)]->borrowed;
        info->ft_object_alloc = src[bit_index(R_API)]->object_alloc;
    }
    if (got & R_UNSAFE) info->unsafe_replacement = src[bit_index(R_UNSAFE)]->replacement;
    return true;
}

enum ca_macro_role ca_rules_macro_role(const struct ca_rules *r, const char *macro)
{
    const struct entry *src[NROLE_BITS] = {NULL};
    if (!r || !macro || !resolve(r, macro, R_MACRO, src)) return CA_MACRO_UNKNOWN;
    return (enum ca_macro_role)src[bit_index(R_MACRO)]->macro;
}

/* Type spellings from libclang may carry qualifiers or the struct keyword
 * ("const PyMethodDef", "struct PyModuleDef"): only the type name is looked up. */
bool ca_rules_is_entry_table(const struct ca_rules *r, const char *type_name)
{
    static const char *const skip[] = {"const ", "volatile ", "static ", "struct ", NULL};
    const struct entry *src[NROLE_BITS] = {NULL};
    char buf[128];
    size_t n;
    bool again = true;

    if (!r || !type_name) return false;
    while (again) {
        again = false;
        while (*type_name == ' ') type_name++;
        for (const char *const *s = skip; *s; s++)
            if (strncmp(type_name, *s, strlen(*s)) == 0) {
                type_name += strlen(*s);
                again = true;
            }
    }
    n = strcspn(type_name, " [*");
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, type_name, n);
    buf[n] = '\0';
    return resolve(r, buf, R_TABLE, src) != 0;
}

bool ca_rules_is_entry_func(const struct ca_rules *r, const char *name)
{
    const struct entry *src[NROLE_BITS] = {NULL};
    return r && name && resolve(r, name, R_EFUNC, src) != 0;
}

uint32_t ca_rules_nmeta(const struct ca_rules *r) { return r ? r->nmeta : 0; }

const struct ca_rule_meta *ca_rules_meta(const struct ca_rules *r, uint32_t i)
{
    return r && i < r->nmeta ? &r->meta[i] : NULL;
}

static int cmp_key_meta(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ca_rule_meta *)elem)->id);
}

const struct ca_rule_meta *ca_rules_find_meta(const struct ca_rules *r, const char *id)
{
    if (!r || !id) return NULL;
    return bsearch(id, r->meta, r->nmeta, sizeof *r->meta, cmp_key_meta);
}

const char *ca_io_kind_str(enum ca_io_kind k)
{
    return (unsigned)k < sizeof io_kind_names / sizeof io_kind_names[0] - 1 ? io_kind_names[k] : "unknown";
}
