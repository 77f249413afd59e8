/* engine_pch.c: the groups of files that share a precompiled preamble (contract in
 * engine_pch.h).  In the cache directory a group keeps three files: KEY.h (the preamble the
 * PCH was built from), KEY.pch, and KEY.meta, the ca_pch_info the front end needs with the PCH
 * (clang cannot say, through a PCH, which headers it read or where Python.h was).  The .meta is
 * written last, atomically, so a reader that finds it finds a whole PCH.  Without a cache the
 * files go to a temporary directory that the run removes. */
#include "engine_pch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "preamble.h"

#define META_MAGIC "CAPCHM1"

enum ca_status pch_set_init(struct pch_set *s, const char *cache_dir)
{
    struct ca_buf b;
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!cache_dir) return CA_OK;
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s/pch", cache_dir);
    if (!(s->dir = ca_buf_take(&b))) return CA_ERR_NOMEM;
    if (mkdir(s->dir, 0777) == 0 || errno == EEXIST) {
        s->persistent = true;
    } else { /* no PCH directory in the cache: a temporary one, as without a cache */
        ca_free(s->dir);
        s->dir = NULL;
    }
    return CA_OK;
}

static void file_name(const struct pch_set *s, const struct pch_group *g, const char *ext, char *out, size_t n)
{
    char hex[33];
    ca_hash_hex(g->key, hex);
    snprintf(out, n, "%s/%s%s", s->dir, hex, ext);
}

void pch_set_fini(struct pch_set *s)
{
    for (size_t i = 0; i < s->ngroups; i++) {
        struct pch_group *g = &s->groups[i];
        if (s->made_tmp) {
            char p[PATH_MAX];
            file_name(s, g, ".pch", p, sizeof p);
            unlink(p);
            file_name(s, g, ".h", p, sizeof p);
            unlink(p);
        }
        ca_pch_info_fini(&g->info);
        ca_free(g->pch);
    }
    if (s->made_tmp) rmdir(s->dir);
    ca_free(s->groups);
    ca_free(s->dir);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    memset(s, 0, sizeof *s);
}

enum ca_status pch_set_add(struct pch_set *s, const struct ca_input *in, const char *text, size_t len,
                           const char *tool_id, uint32_t *group)
{
    size_t plen = ca_preamble_len(text, len), klen;
    char *key;
    struct ca_buf b;
    struct ca_hash h;
    enum ca_status st = CA_OK;
    *group = UINT32_MAX;
    if (!plen) return CA_OK;
    if (!(key = ca_malloc(plen + 3))) return CA_ERR_NOMEM;
    klen = ca_preamble_key(text, plen, key);
    ca_buf_init(&b);
    ca_buf_putn(&b, tool_id, strlen(tool_id) + 1);
    ca_buf_putn(&b, key, klen + 1);
    for (size_t i = 0; i < in->nargs; i++) ca_buf_putn(&b, in->args[i], strlen(in->args[i]) + 1);
    ca_free(key);
    if (b.failed || !klen) {
        st = b.failed ? CA_ERR_NOMEM : CA_OK;
        ca_buf_fini(&b);
        return st;
    }
    h = ca_hash128(b.data, b.len, 0);
    ca_buf_fini(&b);
    for (size_t i = 0; i < s->ngroups; i++)
        if (ca_hash_eq(s->groups[i].key, h)) {
            s->groups[i].members++;
            *group = (uint32_t)i;
            return CA_OK;
        }
    if ((st = ca_grow((void **)&s->groups, &s->cap, s->ngroups + 1, sizeof *s->groups)) != CA_OK) return st;
    memset(&s->groups[s->ngroups], 0, sizeof *s->groups);
    s->groups[s->ngroups].key = h;
    s->groups[s->ngroups].members = 1;
    *group = (uint32_t)s->ngroups++;
    return CA_OK;
}

/* ---- the .meta file: the fields of struct ca_pch_info, in order */

static void put_u64(struct ca_buf *b, uint64_t v) { ca_buf_putn(b, (const char *)&v, 8); }
static void put_str(struct ca_buf *b, const char *s)
{
    put_u64(b, s ? strlen(s) : UINT64_MAX);
    if (s) ca_buf_putn(b, s, strlen(s));
}

static enum ca_status write_meta(const char *path, const struct ca_pch_info *pi)
{
    struct ca_buf b;
    enum ca_status st;
    ca_buf_init(&b);
    ca_buf_putn(&b, META_MAGIC, 8);
    put_u64(&b, pi->len);
    ca_buf_putn(&b, pi->preamble, pi->len);
    put_u64(&b, pi->nargs);
    for (size_t i = 0; i < pi->nargs; i++) put_str(&b, pi->args[i]);
    put_u64(&b, pi->python);
    put_str(&b, pi->pydir);
    put_str(&b, pi->pyreal);
    put_u64(&b, pi->ndeps);
    for (size_t i = 0; i < pi->ndeps; i++) {
        put_str(&b, pi->deps[i]);
        put_u64(&b, pi->dep_python[i]);
        ca_buf_putn(&b, (const char *)&pi->dep_stamps[i], sizeof pi->dep_stamps[i]);
    }
    st = b.failed ? CA_ERR_NOMEM : ca_file_write_atomic(path, b.data, b.len);
    ca_buf_fini(&b);
    return st == CA_ERR_NOMEM ? st : CA_OK; /* best effort, as every cache write */
}

struct rd {
    const char *p;
    size_t left;
    bool bad;
};

static uint64_t get_u64(struct rd *r)
{
    uint64_t v = 0;
    if (r->left < 8) r->bad = true;
    if (r->bad) return 0;
    memcpy(&v, r->p, 8);
    r->p += 8;
    r->left -= 8;
    return v;
}

/* A string (NULL allowed when `nullable`), heap. */
static char *get_str(struct rd *r, bool nullable)
{
    uint64_t n = get_u64(r);
    char *s;
    if (r->bad || (n == UINT64_MAX && nullable)) return NULL;
    if (n > r->left || memchr(r->p, '\0', n)) {
        r->bad = true;
        return NULL;
    }
    if (!(s = ca_strndup(r->p, n))) r->bad = true;
    r->p += n;
    r->left -= n;
    return s;
}

/* Reads a .meta into *pi; false when it is missing or malformed. */
static bool read_meta(const char *path, struct ca_pch_info *pi)
{
    char *data = NULL;
    size_t len = 0;
    struct rd r;
    uint64_t n;
    memset(pi, 0, sizeof *pi);
    if (ca_file_read(path, &data, &len) != CA_OK) return false;
    r = (struct rd){data + 8, len >= 8 ? len - 8 : 0, len < 8 || memcmp(data, META_MAGIC, 8) != 0};
    n = get_u64(&r);
    if (!r.bad && n <= r.left && (pi->preamble = ca_strndup(r.p, n))) {
        pi->len = n;
        r.p += n;
        r.left -= n;
    } else {
        r.bad = true;
    }
    n = get_u64(&r);
    if (!r.bad && n <= r.left / 8 && (pi->args = ca_calloc(n + 1, sizeof *pi->args)))
        for (pi->nargs = 0; pi->nargs < n && !r.bad; pi->nargs++) pi->args[pi->nargs] = get_str(&r, false);
    else r.bad = true;
    pi->python = get_u64(&r) != 0;
    pi->pydir = get_str(&r, true);
    pi->pyreal = get_str(&r, true);
    n = get_u64(&r);
    if (!r.bad && n <= r.left / 8 && (pi->deps = ca_calloc(n + 1, sizeof *pi->deps)) &&
        (pi->dep_python = ca_calloc(n + 1, sizeof *pi->dep_python)) &&
        (pi->dep_stamps = ca_calloc(n + 1, sizeof *pi->dep_stamps))) {
        for (pi->ndeps = 0; pi->ndeps < n && !r.bad; pi->ndeps++) {
            pi->deps[pi->ndeps] = get_str(&r, false);
            pi->dep_python[pi->ndeps] = get_u64(&r) != 0;
            if (r.left < sizeof *pi->dep_stamps) r.bad = true;
            if (!r.bad) memcpy(&pi->dep_stamps[pi->ndeps], r.p, sizeof *pi->dep_stamps);
            r.p += r.bad ? 0 : sizeof *pi->dep_stamps;
            r.left -= r.bad ? 0 : sizeof *pi->dep_stamps;
        }
    } else {
        r.bad = true;
    }
    ca_free(data);
    if (r.bad || r.left) ca_pch_info_fini(pi);
    return !r.bad && !r.left;
}

/* Are the headers the PCH read as they were (size and time)?  The front end checks again at
 * every parse; this only decides whether a PCH of an earlier run is worth using or rebuilt. */
static bool deps_unchanged(const struct ca_pch_info *pi)
{
    for (size_t i = 0; i < pi->ndeps; i++) {
        struct stat sb;
        if (stat(pi->deps[i], &sb) != 0 || (long long)sb.st_size != pi->dep_stamps[i].size ||
            (long long)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != pi->dep_stamps[i].mtime_ns)
            return false;
    }
    return true;
}

/* Called by the one worker that builds (or loads) group g, without the lock. */
static bool obtain(struct pch_set *s, struct pch_group *g, struct ca_front *fe, const struct ca_input *in,
                   const char *text, size_t len, bool *built)
{
    char pch[PATH_MAX], hdr[PATH_MAX], meta[PATH_MAX];
    size_t plen = ca_preamble_len(text, len);
    struct stat sb;
    enum ca_status st;
    *built = false;
    file_name(s, g, ".pch", pch, sizeof pch);
    file_name(s, g, ".h", hdr, sizeof hdr);
    file_name(s, g, ".meta", meta, sizeof meta);
    if (s->persistent && read_meta(meta, &g->info)) {
        if (stat(pch, &sb) == 0 && deps_unchanged(&g->info)) {
            ca_cache_touch(meta); /* used: not the next to go when the cache is pruned */
            ca_cache_touch(pch);
            ca_cache_touch(hdr);
            return (g->pch = ca_strdup(pch)) != NULL;
        }
        ca_pch_info_fini(&g->info);
    }
    st = ca_front_build_pch(fe, (const char *const *)in->args, in->nargs, text, plen, hdr, pch, &g->info);
    if (st != CA_OK) return false;
    *built = true;
    if (s->persistent && write_meta(meta, &g->info) != CA_OK) return false;
    return (g->pch = ca_strdup(pch)) != NULL;
}

const struct pch_group *pch_set_get(struct pch_set *s, uint32_t group, struct ca_front *fe, const struct ca_input *in,
                                    const char *text, size_t len)
{
    struct pch_group *g;
    const struct pch_group *out;
    pthread_mutex_lock(&s->mu);
    g = &s->groups[group];
    while (g->state == PCH_BUILDING) pthread_cond_wait(&s->cv, &s->mu);
    if (g->state == PCH_NONE) {
        bool ok, built = false;
        g->state = PCH_BUILDING;
        if (!s->dir && !s->no_dir) { /* the first PCH of a run without a cache directory */
            const char *t = getenv("TMPDIR");
            struct ca_buf b;
            ca_buf_init(&b);
            ca_buf_printf(&b, "%s/concadvise-pch-XXXXXX", t && *t ? t : "/tmp");
            s->dir = ca_buf_take(&b);
            if (s->dir && mkdtemp(s->dir)) {
                s->made_tmp = true;
            } else {
                ca_free(s->dir);
                s->dir = NULL;
                s->no_dir = true; /* no temporary directory: plain parses */
            }
        }
        ok = s->dir != NULL;
        pthread_mutex_unlock(&s->mu);
        ok = ok && obtain(s, g, fe, in, text, len, &built);
        pthread_mutex_lock(&s->mu);
        g->state = ok ? PCH_READY : PCH_FAILED;
        if (ok && built) s->built++;
        else if (ok) s->loaded++;
        pthread_cond_broadcast(&s->cv);
    }
    out = g->state == PCH_READY ? g : NULL;
    pthread_mutex_unlock(&s->mu);
    return out;
}
