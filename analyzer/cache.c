/* cache.c: the facts cache (contract in cache.h).
 * Layout: DIR/CACHEDIR.TAG, DIR/.gitignore, DIR/facts/XX/KEY (XX: the key's first two hex
 * digits, so no directory grows past a few thousand entries).  An entry is
 *   "CAENTRY\0", u32 format, u32 ndeps, the key (16 bytes),
 *   ndeps x { u64 size, i64 mtime_ns, u64 h1, u64 h2 }  (the stamps of facts.deps, in order),
 *   one ca_facts_write record,
 * native-endian: a cache directory is not meant to move between machines. */
#include "cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ca_front_id.h"
#include "facts_io.h"

#define ENTRY_MAGIC "CAENTRY"
#define PRUNE_TARGET_PERCENT 80
#define ENTRY_FORMAT 1u

/* What a file was when an entry was written, and what it is now. */
struct stamp {
    uint64_t size;
    int64_t mtime_ns;
    struct ca_hash h;
};

/* One file's state in this run (memoised: headers are shared by most TUs). */
struct fstate {
    char *path;       /* NULL: free slot */
    bool exists, hashed, readable;
    struct stamp now;
};

struct ca_cache {
    char *dir;
    struct ca_hash id;          /* of tool_id */
    pthread_mutex_t mu;         /* guards files and stats */
    struct fstate *files;
    size_t nfiles, capfiles;    /* open addressing, capfiles a power of two */
    struct ca_cache_stats stats;
};

static int64_t mtime_ns(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

const char *ca_front_id(void)
{
    return CA_FRONT_ID;
}

int64_t ca_cache_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* mkdir -p for the directory `d` (modified in place and restored). */
static int make_dirs(char *d)
{
    struct stat sb;
    if (stat(d, &sb) == 0) return S_ISDIR(sb.st_mode) ? 0 : (errno = ENOTDIR, -1);
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(d, 0777) != 0 && errno != EEXIST) {
                *p = '/';
                return -1;
            }
            *p = '/';
        }
    return mkdir(d, 0777) != 0 && errno != EEXIST ? -1 : 0;
}


static void put_file_once(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/%s", dir, name) < (int)sizeof p && access(p, F_OK) != 0)
        if (ca_file_write_atomic(p, text, strlen(text)) != CA_OK) { /* a marker file: best effort */ }
}

enum ca_status ca_cache_open(const char *dir, const char *tool_id, struct ca_cache **out, char **why)
{
    struct ca_cache *c;
    char *d;
    *out = NULL;
    *why = NULL;
    if (!(c = ca_calloc(1, sizeof *c)) || !(c->dir = ca_strdup(dir)) || !(d = ca_strdup(dir))) {
        if (c) ca_free(c->dir);
        ca_free(c);
        return CA_ERR_NOMEM;
    }
    if (make_dirs(d) != 0 || access(d, W_OK) != 0) {
        struct ca_buf b;
        ca_buf_init(&b);
        ca_buf_printf(&b, "cannot use %s: %s", dir, strerror(errno ? errno : EACCES));
        *why = ca_buf_take(&b);
        ca_free(d);
        ca_free(c->dir);
        ca_free(c);
        return CA_ERR_IO;
    }
    ca_free(d);
    put_file_once(dir, "CACHEDIR.TAG",
                  "Signature: 8a477f597d28d172789f06886806bc55\n"
                  "# This directory is concadvise's cache (see docs/perf.md); it may be deleted.\n");
    put_file_once(dir, ".gitignore", "# concadvise's cache\n*\n");
    c->id = ca_hash128(tool_id, strlen(tool_id), 0);
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return CA_OK;
}

void ca_cache_free(struct ca_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->capfiles; i++) ca_free(c->files[i].path);
    ca_free(c->files);
    pthread_mutex_destroy(&c->mu);
    ca_free(c->dir);
    ca_free(c);
}

const char *ca_cache_dir(const struct ca_cache *c)
{
    return c->dir;
}

struct ca_hash ca_cache_key(const struct ca_cache *c, const char *display, const char *path,
                            const char *const *args, size_t nargs, const char *text, size_t len)
{
    struct ca_hash th = ca_hash128(text, len, 0), k;
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_putn(&b, (const char *)&c->id, sizeof c->id);
    ca_buf_putn(&b, (const char *)&th, sizeof th);
    ca_buf_putn(&b, display, strlen(display) + 1); /* NUL-separated: no two lists join alike */
    ca_buf_putn(&b, path, strlen(path) + 1);
    for (size_t i = 0; i < nargs; i++) ca_buf_putn(&b, args[i], strlen(args[i]) + 1);
    /* On allocation failure the key is of a truncated text: a key no entry has.  Mixing in the
     * failure keeps it from matching another truncated key by chance. */
    k = b.failed ? ca_hash128(&th, sizeof th, 0x9e3779b97f4a7c15ull) : ca_hash128(b.data, b.len, 0);
    ca_buf_fini(&b);
    return k;
}

static size_t str_hash(const char *s)
{
    return (size_t)ca_hash128(s, strlen(s), 0).h1;
}

/* The state of `path` in this run; called with c->mu held.  NULL on allocation failure. */
static struct fstate *file_state(struct ca_cache *c, const char *path)
{
    size_t i;
    struct fstate *fs;
    struct stat sb;
    if (2 * (c->nfiles + 1) > c->capfiles) {
        size_t ncap = c->capfiles ? 2 * c->capfiles : 256;
        struct fstate *nv = ca_calloc(ncap, sizeof *nv);
        if (!nv) return NULL;
        for (size_t j = 0; j < c->capfiles; j++) {
            if (!c->files[j].path) continue;
            for (i = str_hash(c->files[j].path) & (ncap - 1); nv[i].path; i = (i + 1) & (ncap - 1)) {}
            nv[i] = c->files[j];
        }
        ca_free(c->files);
        c->files = nv;
        c->capfiles = ncap;
    }
    for (i = str_hash(path) & (c->capfiles - 1); c->files[i].path; i = (i + 1) & (c->capfiles - 1))
        if (strcmp(c->files[i].path, path) == 0) return &c->files[i];
    fs = &c->files[i];
    if (!(fs->path = ca_strdup(path))) return NULL;
    c->nfiles++;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        fs->exists = true;
        fs->now.size = (uint64_t)sb.st_size;
        fs->now.mtime_ns = mtime_ns(&sb);
    }
    return fs;
}

/* Hash the contents of fs (once); called with c->mu held. */
static bool hash_state(struct fstate *fs)
{
    char *text = NULL;
    size_t len = 0;
    if (fs->hashed) return fs->readable;
    fs->hashed = true;
    if (!fs->exists || ca_file_read(fs->path, &text, &len) != CA_OK) return false;
    fs->now.h = ca_hash128(text, len, 0);
    fs->readable = true;
    ca_free(text);
    return true;
}

/* Is `path` still what `rec` says?  The same size and modification time, or the same contents
 * (a touched but unchanged header, a fresh checkout) when rec has a hash of them (a zero hash:
 * not recorded). */
static bool stamp_ok(struct ca_cache *c, const char *path, const struct stamp *rec)
{
    struct fstate *fs;
    bool ok = false;
    pthread_mutex_lock(&c->mu);
    fs = file_state(c, path);
    if (fs && fs->exists) {
        if (fs->now.size == rec->size && fs->now.mtime_ns == rec->mtime_ns) ok = true;
        else ok = fs->now.size == rec->size && (rec->h.h1 || rec->h.h2) && hash_state(fs) && ca_hash_eq(fs->now.h, rec->h);
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

static bool entry_path(const struct ca_cache *c, struct ca_hash key, char *buf, size_t n, bool make_dir)
{
    char hex[33];
    ca_hash_hex(key, hex);
    if (snprintf(buf, n, "%s/facts/%.2s", c->dir, hex) >= (int)n) return false;
    if (make_dir && make_dirs(buf) != 0) return false;
    return snprintf(buf, n, "%s/facts/%.2s/%s", c->dir, hex, hex + 2) < (int)n;
}

static void count(struct ca_cache *c, unsigned *field)
{
    pthread_mutex_lock(&c->mu);
    (*field)++;
    pthread_mutex_unlock(&c->mu);
}

enum ca_status ca_cache_get(struct ca_cache *c, struct ca_hash key, struct ca_tu_facts *out, bool *hit)
{
    char path[PATH_MAX], *data = NULL;
    size_t len = 0, used = 0, head;
    uint32_t format, ndeps;
    struct ca_hash k;
    enum ca_status st = ca_facts_init(out, "");
    *hit = false;
    if (st != CA_OK) return st;
    if (!entry_path(c, key, path, sizeof path, false)) goto miss;
    st = ca_file_read(path, &data, &len);
    if (st == CA_ERR_NOMEM) goto out;
    st = CA_OK;
    if (!data) goto miss;
    head = 8 + 4 + 4 + sizeof k;
    if (len < head || memcmp(data, ENTRY_MAGIC, 8) != 0) goto corrupt;
    memcpy(&format, data + 8, 4);
    memcpy(&ndeps, data + 12, 4);
    memcpy(&k, data + 16, sizeof k);
    if (format != ENTRY_FORMAT || !ca_hash_eq(k, key) || (len - head) / sizeof(struct stamp) < ndeps) goto corrupt;
    ca_facts_fini(out);
    st = ca_facts_read(data + head + ndeps * sizeof(struct stamp), len - head - ndeps * sizeof(struct stamp), out,
                       &used);
    if (st == CA_ERR_NOMEM) goto out;
    st = CA_OK;
    if (out->ndeps != ndeps || !out->path) goto corrupt;
    for (uint32_t i = 0; i < ndeps; i++) {
        struct stamp s;
        memcpy(&s, data + head + i * sizeof s, sizeof s);
        if (!stamp_ok(c, out->deps[i], &s)) {
            count(c, &c->stats.stale);
            goto miss;
        }
    }
    *hit = true;
    ca_cache_touch(path); /* last use, for ca_cache_prune */
    count(c, &c->stats.hits);
    goto out;
corrupt: /* ignored: the parse that follows a miss rewrites it */
miss:
    count(c, &c->stats.misses);
    ca_facts_fini(out);
    st = ca_facts_init(out, "");
out:
    ca_free(data);
    return st;
}

enum ca_status ca_cache_put(struct ca_cache *c, struct ca_hash key, const char *path, const struct ca_tu_facts *f,
                            int64_t started_ns)
{
    char file[PATH_MAX];
    struct ca_buf b;
    struct stat sb;
    uint32_t format = ENTRY_FORMAT, ndeps = f->ndeps;
    enum ca_status st = CA_OK;
    bool fresh = stat(path, &sb) == 0 && mtime_ns(&sb) < started_ns;
    ca_buf_init(&b);
    ca_buf_putn(&b, ENTRY_MAGIC, 8);
    ca_buf_putn(&b, (const char *)&format, 4);
    ca_buf_putn(&b, (const char *)&ndeps, 4);
    ca_buf_putn(&b, (const char *)&key, sizeof key);
    pthread_mutex_lock(&c->mu);
    for (uint32_t i = 0; i < f->ndeps && fresh; i++) {
        struct fstate *fs = file_state(c, f->deps[i]);
        if (!fs) {
            st = CA_ERR_NOMEM;
            break;
        }
        /* A dep that cannot be read or that changed during the run: the entry would lie. */
        fresh = hash_state(fs) && fs->now.mtime_ns < started_ns;
        if (fresh) ca_buf_putn(&b, (const char *)&fs->now, sizeof fs->now);
    }
    pthread_mutex_unlock(&c->mu);
    if (st == CA_OK && fresh) st = ca_facts_write(f, &b);
    if (st == CA_OK && b.failed) st = CA_ERR_NOMEM;
    if (st == CA_OK && fresh) {
        if (entry_path(c, key, file, sizeof file, true) && ca_file_write_atomic(file, b.data, b.len) == CA_OK)
            count(c, &c->stats.stored);
        else count(c, &c->stats.write_errors);
    }
    ca_buf_fini(&b);
    return st;
}

void ca_cache_stats(struct ca_cache *c, struct ca_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

/* ---- whole runs: DIR/runs/KEY is
 *   "CARUN\0\0\0", u32 format, the key (16 bytes), the hash of the rest (16 bytes), u32 nfiles,
 *   nfiles x { u32 length, the path, a stamp }, u64 length, the blob. */

#define RUN_MAGIC "CARUN\0\0"
#define RUN_FORMAT 1u

static bool run_path(const struct ca_cache *c, struct ca_hash key, char *buf, size_t n, bool make_dir)
{
    char hex[33];
    ca_hash_hex(key, hex);
    if (snprintf(buf, n, "%s/runs", c->dir) >= (int)n) return false;
    if (make_dir && make_dirs(buf) != 0) return false;
    return snprintf(buf, n, "%s/runs/%s", c->dir, hex) < (int)n;
}

/* A report is as big as the run (2.7 MB for CPython's Modules/), and every other set of options
 * or state of the tree makes another: keep the RUNS_KEPT most recently written, delete the
 * rest (best effort; a concurrent run may delete the same files). */
#define RUNS_KEPT 16

struct aged {
    int64_t mtime;
    char name[40];
};

static int newer_first(const void *a, const void *b)
{
    const struct aged *x = a, *y = b;
    return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : strcmp(x->name, y->name);
}

static void prune_runs(struct ca_cache *c)
{
    char dir[PATH_MAX], p[PATH_MAX];
    struct aged *v = NULL;
    size_t n = 0, cap = 0;
    DIR *d;
    struct dirent *e;
    if (snprintf(dir, sizeof dir, "%s/runs", c->dir) >= (int)sizeof dir || !(d = opendir(dir))) return;
    while ((e = readdir(d))) {
        struct stat sb;
        struct aged a;
        if (e->d_name[0] == '.' || strlen(e->d_name) != 32) continue; /* temporary files: not ours to judge */
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p || stat(p, &sb) != 0) continue;
        a.mtime = mtime_ns(&sb);
        memcpy(a.name, e->d_name, 33);
        if (ca_grow((void **)&v, &cap, n + 1, sizeof *v) != CA_OK) break;
        v[n++] = a;
    }
    closedir(d);
    if (n > RUNS_KEPT) {
        qsort(v, n, sizeof *v, newer_first);
        for (size_t i = RUNS_KEPT; i < n; i++)
            if (snprintf(p, sizeof p, "%s/%s", dir, v[i].name) < (int)sizeof p) unlink(p);
    }
    ca_free(v);
}

enum ca_status ca_cache_put_run(struct ca_cache *c, struct ca_hash key, const char *const *files, size_t nfiles,
                                const void *blob, size_t len, int64_t started_ns)
{
    struct ca_buf b;
    char file[PATH_MAX];
    uint32_t format = RUN_FORMAT, n = (uint32_t)nfiles;
    uint64_t blen = len;
    struct ca_hash h = {0, 0};
    bool fresh = true;
    enum ca_status st = CA_OK;
    size_t body;
    ca_buf_init(&b);
    ca_buf_putn(&b, RUN_MAGIC, 8);
    ca_buf_putn(&b, (const char *)&format, 4);
    ca_buf_putn(&b, (const char *)&key, sizeof key);
    ca_buf_putn(&b, (const char *)&h, sizeof h); /* patched below */
    body = b.len;
    ca_buf_putn(&b, (const char *)&n, 4);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < nfiles && fresh; i++) {
        struct fstate *fs = file_state(c, files[i]);
        uint32_t plen = (uint32_t)strlen(files[i]);
        if (!fs) {
            st = CA_ERR_NOMEM;
            break;
        }
        /* The contents' hash only when this run computed it already: reading every header and
         * the binary again would cost a warm run more than it saves.  Without it, a file whose
         * size or time changed is a change (stamp_ok). */
        fresh = fs->exists && fs->now.mtime_ns < started_ns;
        ca_buf_putn(&b, (const char *)&plen, 4);
        ca_buf_putn(&b, files[i], plen);
        {
            struct stamp st1 = fs->now;
            if (!fs->hashed || !fs->readable) st1.h = (struct ca_hash){0, 0};
            ca_buf_putn(&b, (const char *)&st1, sizeof st1);
        }
    }
    pthread_mutex_unlock(&c->mu);
    ca_buf_putn(&b, (const char *)&blen, 8);
    ca_buf_putn(&b, blob, len);
    if (st == CA_OK && b.failed) st = CA_ERR_NOMEM;
    if (st == CA_OK && fresh) {
        h = ca_hash128(b.data + body, b.len - body, 0);
        memcpy(b.data + body - sizeof h, &h, sizeof h);
        if (run_path(c, key, file, sizeof file, true) && ca_file_write_atomic(file, b.data, b.len) == CA_OK) {
            count(c, &c->stats.stored);
            prune_runs(c);
        } else {
            count(c, &c->stats.write_errors);
        }
    }
    ca_buf_fini(&b);
    return st;
}

enum ca_status ca_cache_get_run(struct ca_cache *c, struct ca_hash key, char **blob, size_t *len, bool *hit)
{
    char path[PATH_MAX], *data = NULL;
    size_t dlen = 0, at, head = 8 + 4 + 2 * sizeof(struct ca_hash);
    uint32_t format, n;
    uint64_t blen;
    struct ca_hash k, h;
    enum ca_status st = CA_OK;
    *blob = NULL;
    *len = 0;
    *hit = false;
    if (!run_path(c, key, path, sizeof path, false)) return CA_OK;
    if ((st = ca_file_read(path, &data, &dlen)) != CA_OK) return st == CA_ERR_NOMEM ? st : CA_OK;
    if (dlen < head + 4 || memcmp(data, RUN_MAGIC, 8) != 0) goto out;
    memcpy(&format, data + 8, 4);
    memcpy(&k, data + 12, sizeof k);
    memcpy(&h, data + 12 + sizeof k, sizeof h);
    if (format != RUN_FORMAT || !ca_hash_eq(k, key) || !ca_hash_eq(h, ca_hash128(data + head, dlen - head, 0))) goto out;
    memcpy(&n, data + head, 4);
    at = head + 4;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t plen;
        struct stamp s;
        char *p;
        bool ok;
        if (dlen - at < 4) goto out;
        memcpy(&plen, data + at, 4);
        at += 4;
        if (dlen - at < (size_t)plen + sizeof s) goto out;
        if (!(p = ca_strndup(data + at, plen))) {
            st = CA_ERR_NOMEM;
            goto out;
        }
        memcpy(&s, data + at + plen, sizeof s);
        at += plen + sizeof s;
        ok = stamp_ok(c, p, &s);
        ca_free(p);
        if (!ok) {
            count(c, &c->stats.stale);
            goto out;
        }
    }
    if (dlen - at < 8) goto out;
    memcpy(&blen, data + at, 8);
    at += 8;
    if (blen != dlen - at || !(*blob = ca_malloc(blen + 1))) {
        st = blen == dlen - at ? CA_ERR_NOMEM : CA_OK;
        goto out;
    }
    memcpy(*blob, data + at, blen);
    (*blob)[blen] = '\0';
    *len = blen;
    *hit = true;
out:
    ca_free(data);
    return st;
}

/* ---- pruning: facts entries and PCH groups, least recently used first */

void ca_cache_touch(const char *path)
{
    (void)utimensat(AT_FDCWD, path, NULL, 0); /* best effort: a read-only cache just ages */
}

struct victim {
    char *stem;     /* DIR/facts/XX/KEY, or DIR/pch/KEY for the files KEY.* */
    int64_t mtime;  /* the newest of its files */
    uint64_t bytes;
    bool pch;
};

static int older_first(const void *a, const void *b)
{
    const struct victim *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(x->stem, y->stem);
}

/* Adds the entries of one directory: each file, or each group of files sharing the name up to
 * the first '.' when `by_stem` (a PCH's .h, .pch and .meta go together).  Temporary files
 * (".name") belong to a writer at work and are left alone. */
static enum ca_status scan(const char *dir, bool by_stem, struct victim **v, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    enum ca_status st = CA_OK;
    if (!d) return CA_OK;
    while (st == CA_OK && (e = readdir(d))) {
        char p[PATH_MAX];
        struct stat sb;
        size_t stem = by_stem ? strcspn(e->d_name, ".") : strlen(e->d_name);
        if (e->d_name[0] == '.' || stem == 0) continue;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p || lstat(p, &sb) != 0 ||
            !S_ISREG(sb.st_mode))
            continue;
        p[strlen(dir) + 1 + stem] = 0;
        size_t i = *n;
        if (by_stem) /* the group's other files were seen already: few PCHs, a linear look */
            for (i = 0; i < *n && strcmp((*v)[i].stem, p) != 0; i++) {}
        if (i == *n) {
            struct victim nv = {ca_strdup(p), INT64_MIN, 0, by_stem};
            if (!nv.stem) { st = CA_ERR_NOMEM; break; }
            if ((st = ca_grow((void **)v, cap, *n + 1, sizeof **v)) != CA_OK) { ca_free(nv.stem); break; }
            (*v)[(*n)++] = nv;
        }
        if (mtime_ns(&sb) > (*v)[i].mtime) (*v)[i].mtime = mtime_ns(&sb);
        (*v)[i].bytes += (uint64_t)sb.st_size;
    }
    closedir(d);
    return st;
}

static void remove_victim(const struct victim *x)
{
    if (!x->pch) {
        unlink(x->stem);
        return;
    }
    /* the .meta first: a reader that finds it expects the .pch (engine_pch.c) */
    static const char *const ext[] = {".meta", ".pch", ".h"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s%s", x->stem, ext[i]) < (int)sizeof p) unlink(p);
    }
}

enum ca_status ca_cache_prune(struct ca_cache *c, uint64_t max_bytes, int64_t keep_after_ns,
                              struct ca_cache_prune_stats *out)
{
    struct victim *v = NULL;
    size_t n = 0, cap = 0;
    char dir[PATH_MAX];
    enum ca_status st = CA_OK;
    memset(out, 0, sizeof *out);
    for (int sub = 0; sub < 256 && st == CA_OK; sub++)
        if (snprintf(dir, sizeof dir, "%s/facts/%02x", c->dir, sub) < (int)sizeof dir) st = scan(dir, false, &v, &n, &cap);
    if (st == CA_OK && snprintf(dir, sizeof dir, "%s/pch", c->dir) < (int)sizeof dir) st = scan(dir, true, &v, &n, &cap);
    for (size_t i = 0; i < n; i++) out->bytes_before += v[i].bytes;
    out->bytes_after = out->bytes_before;
    if (st == CA_OK && max_bytes && out->bytes_before > max_bytes) {
        /* Down to PRUNE_TARGET of the limit, so that the next runs do not each remove a little. */
        uint64_t target = max_bytes / 100 * PRUNE_TARGET_PERCENT;
        qsort(v, n, sizeof *v, older_first);
        for (size_t i = 0; i < n && out->bytes_after > target; i++) {
            if (v[i].mtime >= keep_after_ns) break; /* used lately, maybe by another run: kept */
            remove_victim(&v[i]);
            out->bytes_after -= v[i].bytes;
            out->removed++;
        }
    }
    for (size_t i = 0; i < n; i++) ca_free(v[i].stem);
    ca_free(v);
    return st;
}
