/* profile.c: collapsed stacks -> inclusive samples per function name -> loop weights.
 * A stack counts once for every distinct function on it (recursion does not double count), so
 * a function's samples are those in which it or a callee was running. */
#include "profile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct pname {
    const char *name;
    uint64_t samples; /* inclusive */
    bool python;      /* a Python-level frame (py-spy "fn (file.py:12)"): never a C function */
};

struct ca_profile {
    struct pname *names; /* open-addressing table, cap a power of two */
    size_t cap, n;
    uint64_t total;
    struct ca_arena arena;
};

void ca_profile_error_fini(struct ca_profile_error *e)
{
    if (!e) return;
    ca_free(e->file);
    ca_free(e->message);
    memset(e, 0, sizeof *e);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static struct pname *slot(const struct ca_profile *p, const char *name)
{
    size_t i = hash(name) & (p->cap - 1);
    while (p->names[i].name && strcmp(p->names[i].name, name) != 0) i = (i + 1) & (p->cap - 1);
    return &p->names[i];
}

static enum ca_status grow(struct ca_profile *p)
{
    size_t cap = p->cap ? p->cap * 2 : 256;
    struct pname *old = p->names, *nw = ca_calloc(cap, sizeof *nw);
    size_t ocap = p->cap;
    if (!nw) return CA_ERR_NOMEM;
    p->names = nw;
    p->cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].name) *slot(p, old[i].name) = old[i];
    ca_free(old);
    return CA_OK;
}

static bool ends_with_clone_suffix(const char *s, size_t len, size_t *cut)
{
    /* GCC and LLVM clones: fn.isra.0, fn.constprop.3, fn.part.1, fn.cold, fn.lto_priv.0 */
    static const char *const sfx[] = {".isra", ".constprop", ".part", ".cold", ".lto_priv", ".llvm"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        const char *at = NULL;
        for (const char *q = s; (q = strstr(q, sfx[i])) && (size_t)(q - s) < len; q++) at = q;
        if (at && at > s) {
            *cut = (size_t)(at - s);
            return true;
        }
    }
    return false;
}

char *ca_profile_frame_name(const char *frame, size_t len, char *out, size_t n)
{
    const char *s = frame, *e = frame + len, *q;
    size_t cut;
    while (s < e && isspace((unsigned char)*s)) s++;
    for (q = s; q < e; q++) /* dtrace: module`function */
        if (*q == '`') s = q + 1;
    for (q = s; q < e; q++) /* " (file:line)", " [module]" */
        if (*q == ' ') { e = q; break; }
    for (q = s; q + 2 < e; q++) /* "+0x1f" */
        if (q[0] == '+' && q[1] == '0' && (q[2] == 'x' || q[2] == 'X')) { e = q; break; }
    if (e - s > 4 && memcmp(e - 4, "_[k]", 4) == 0) e -= 4; /* perf kernel frames */
    while (ends_with_clone_suffix(s, (size_t)(e - s), &cut)) e = s + cut;
    if ((size_t)(e - s) >= n) e = s + (n - 1);
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    return out;
}

static bool python_frame(const char *frame, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++)
        if (memcmp(frame + i, ".py", 3) == 0 && (i + 3 == len || frame[i + 3] == ':' || frame[i + 3] == ')')) return true;
    return false;
}

static enum ca_status fail(struct ca_profile_error *err, const char *name, unsigned line, const char *msg,
                           enum ca_status st)
{
    if (err) {
        err->file = ca_strdup(name);
        err->line = line;
        err->message = ca_strdup(msg);
    }
    return st;
}

/* One stack line: every distinct frame name gets the count once. */
static enum ca_status add_stack(struct ca_profile *p, const char *s, size_t len, uint64_t count)
{
    const char *seen[256];
    size_t nseen = 0;
    const char *f = s, *end = s + len;
    while (f < end) {
        const char *semi = memchr(f, ';', (size_t)(end - f));
        size_t flen = semi ? (size_t)(semi - f) : (size_t)(end - f);
        char name[512];
        struct pname *pn;
        bool dup = false;
        bool py = python_frame(f, flen);
        ca_profile_frame_name(f, flen, name, sizeof name);
        f += flen + (semi ? 1 : 0);
        if (!name[0]) continue;
        /* A Python function is not the C function of the same name: keep them apart. */
        if (py && strlen(name) + sizeof " (Python)" <= sizeof name) strcat(name, " (Python)");
        if ((p->n + 1) * 2 > p->cap && grow(p) != CA_OK) return CA_ERR_NOMEM;
        pn = slot(p, name);
        if (!pn->name) {
            if (!(pn->name = ca_arena_strdup(&p->arena, name))) return CA_ERR_NOMEM;
            pn->python = py;
            p->n++;
        }
        for (size_t i = 0; i < nseen; i++) dup |= seen[i] == pn->name;
        if (dup) continue;
        if (nseen < sizeof seen / sizeof seen[0]) seen[nseen++] = pn->name;
        pn->samples += count;
    }
    p->total += count;
    return CA_OK;
}

enum ca_status ca_profile_parse(const char *name, const char *text, size_t len, struct ca_profile **out,
                                struct ca_profile_error *err)
{
    struct ca_profile *p = ca_calloc(1, sizeof *p);
    const char *s = text, *end = text + len;
    unsigned line = 0;
    enum ca_status st = CA_OK;
    *out = NULL;
    if (!p) return CA_ERR_NOMEM;
    ca_arena_init(&p->arena);
    while (s < end && st == CA_OK) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end, *sp;
        uint64_t count = 0;
        line++;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) e--;
        if (e == s || *s == '#') { s = nl ? nl + 1 : end; continue; }
        for (sp = e; sp > s && isdigit((unsigned char)sp[-1]); sp--) {}
        if (sp == e || sp == s || (sp[-1] != ' ' && sp[-1] != '\t')) {
            st = fail(err, name, line, "expected `frame;frame;... COUNT` (collapsed stacks)", CA_ERR_PARSE);
            break;
        }
        for (const char *d = sp; d < e; d++) {
            if (count > (UINT64_MAX - 9) / 10) { st = fail(err, name, line, "sample count too large", CA_ERR_PARSE); break; }
            count = count * 10 + (uint64_t)(*d - '0');
        }
        if (st == CA_OK) st = add_stack(p, s, (size_t)(sp - 1 - s), count);
        s = nl ? nl + 1 : end;
    }
    if (st != CA_OK) {
        ca_profile_free(p);
        return st;
    }
    *out = p;
    return CA_OK;
}

enum ca_status ca_profile_load(const char *path, struct ca_profile **out, struct ca_profile_error *err)
{
    char *text = NULL;
    size_t len = 0;
    enum ca_status st = ca_file_read(path, &text, &len);
    *out = NULL;
    if (st != CA_OK) return fail(err, path, 0, "cannot read the profile", st);
    st = ca_profile_parse(path, text, len, out, err);
    ca_free(text);
    return st;
}

void ca_profile_free(struct ca_profile *p)
{
    if (!p) return;
    ca_free(p->names);
    ca_arena_fini(&p->arena);
    ca_free(p);
}

uint64_t ca_profile_total(const struct ca_profile *p) { return p ? p->total : 0; }

static int cmp_unprofiled(const void *a, const void *b)
{
    const struct ca_unprofiled *x = a, *y = b;
    if (x->samples != y->samples) return x->samples > y->samples ? -1 : 1;
    return strcmp(x->frame, y->frame);
}

enum ca_status ca_profile_apply(const struct ca_profile *p, const char *const *functions, size_t nfunctions,
                                struct ca_results *r)
{
    enum ca_status st = CA_OK;
    bool *matched;
    if (!p || !p->cap) return CA_OK;
    r->profile_total = p->total;
    matched = ca_calloc(p->cap, sizeof *matched);
    if (!matched) return CA_ERR_NOMEM;
    for (uint32_t i = 0; i < r->nloops; i++) {
        struct ca_loop_result *l = &r->loops[i];
        struct pname *pn = slot(p, l->function);
        if (!pn->name || pn->python) continue;
        l->profiled = true;
        l->profile_samples = pn->samples;
        l->profile_permille = p->total ? (uint32_t)((pn->samples * 1000 + p->total / 2) / p->total) : 0;
    }
    for (size_t i = 0; i < nfunctions; i++) {
        struct pname *pn = slot(p, functions[i]);
        if (pn->name && !pn->python) matched[pn - p->names] = true;
    }
    for (size_t i = 0; i < p->cap && st == CA_OK; i++) {
        struct ca_unprofiled u;
        if (!p->names[i].name || matched[i]) continue;
        u.frame = p->names[i].name;
        u.samples = p->names[i].samples;
        st = ca_results_add_unprofiled(r, &u);
    }
    ca_free(matched);
    if (st == CA_OK && r->nunprofiled > 1) qsort(r->unprofiled, r->nunprofiled, sizeof *r->unprofiled, cmp_unprofiled);
    return st;
}
