/* test_cache.c: the facts cache (analyzer/cache.c), shard files (analyzer/shard.c) and the
 * content hash they key on (base/ca_hash.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>

#include "cache.h"
#include "ca_hash.h"
#include "facts_io.h"
#include "shard.h"
#include "testutil.h"

static char *cache_dir(const char *name)
{
    char *marker = tu_write_temp("marker", ""), *slash = strrchr(marker, '/');
    size_t n = (size_t)(slash - marker) + strlen(name) + 2;
    char *d = malloc(n);
    assert_non_null(d);
    snprintf(d, n, "%.*s/%s", (int)(slash - marker), marker, name);
    free(marker);
    return d;
}

/* Facts of a TU that read `ndeps` headers. */
static void make_facts(struct ca_tu_facts *f, const char *path, char **deps, size_t ndeps)
{
    struct ca_fact_func fn = {.name = "work", .loc = {3, 5}, .end = {9, 1}, .ir_root = CA_NONE};
    struct ca_fact_loop lp = {.func = 0, .parent = CA_NONE, .kind = CA_LOOP_FOR, .bound = CA_BOUND_CONST,
                              .trip = 16, .loc = {4, 5}, .end_line = 8, .ops = 3};
    assert_int_equal(ca_facts_init(f, path), CA_OK);
    assert_int_equal(ca_facts_add_func(f, &fn, NULL), CA_OK);
    assert_int_equal(ca_facts_add_loop(f, &lp, NULL), CA_OK);
    for (size_t i = 0; i < ndeps; i++) assert_int_equal(ca_facts_add_dep(f, deps[i], NULL), CA_OK);
}

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static int64_t far_future(void)
{
    return ca_cache_now_ns() + (int64_t)3600 * 1000000000;
}

static void test_hash_is_murmur3_x64_128(void **state)
{
    const char *fox = "The quick brown fox jumps over the lazy dog";
    struct ca_hash h = ca_hash128(fox, strlen(fox), 0), z = ca_hash128("", 0, 0);
    unsigned char b[16];
    char hex[33];
    (void)state;
    memcpy(b, &h.h1, 8); /* the reference prints h1 then h2 as little-endian bytes */
    memcpy(b + 8, &h.h2, 8);
    for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", b[i]);
    assert_string_equal(hex, "6c1b07bc7bbc4be347939ac4a93c437a");
    assert_true(z.h1 == 0 && z.h2 == 0);
    assert_false(ca_hash_eq(ca_hash128(fox, strlen(fox), 1), h)); /* the seed matters */
    assert_false(ca_hash_eq(ca_hash128(fox, strlen(fox) - 1, 0), h));
}

static void test_open_creates_a_tagged_git_ignored_directory(void **state)
{
    char *dir = cache_dir("c-open/deep/er"), p[4096], *text = NULL, *why = NULL;
    struct ca_cache *c = NULL;
    size_t len;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    snprintf(p, sizeof p, "%s/CACHEDIR.TAG", dir);
    assert_int_equal(ca_file_read(p, &text, &len), CA_OK);
    assert_non_null(strstr(text, "Signature: 8a477f597d28d172789f06886806bc55"));
    ca_free(text);
    snprintf(p, sizeof p, "%s/.gitignore", dir);
    assert_int_equal(ca_file_read(p, &text, &len), CA_OK);
    assert_non_null(strstr(text, "\n*\n"));
    ca_free(text);
    ca_cache_free(c);
    assert_int_equal(ca_cache_open("/proc/no/such/dir", "id", &c, &why), CA_ERR_IO);
    assert_null(c);
    assert_non_null(why);
    assert_non_null(strstr(why, "/proc/no/such/dir"));
    ca_free(why);
    free(dir);
}

static void test_put_then_get_gives_the_same_facts(void **state)
{
    char *dir = cache_dir("c-rt"), *h = tu_write_temp("rt.h", "#define N 1\n"), *deps[] = {h};
    const char *args[] = {"-DX", "-Iinc"};
    struct ca_cache *c = NULL;
    struct ca_tu_facts f, g;
    struct ca_hash k;
    struct ca_buf a, b;
    struct ca_cache_stats cs;
    char *why;
    bool hit = true;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    make_facts(&f, "src/a.c", deps, 1);
    k = ca_cache_key(c, "src/a.c", "/abs/src/a.c", args, 2, "int x;", 6);
    assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
    assert_false(hit);
    ca_facts_fini(&g);
    assert_int_equal(ca_cache_put(c, k, h, &f, far_future()), CA_OK);
    assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
    assert_true(hit);
    ca_buf_init(&a);
    ca_buf_init(&b);
    assert_int_equal(ca_facts_write(&f, &a), CA_OK);
    assert_int_equal(ca_facts_write(&g, &b), CA_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    ca_cache_stats(c, &cs);
    assert_int_equal(cs.hits, 1);
    assert_int_equal(cs.misses, 1);
    assert_int_equal(cs.stored, 1);
    ca_buf_fini(&a);
    ca_buf_fini(&b);
    ca_facts_fini(&f);
    ca_facts_fini(&g);
    ca_cache_free(c);
    free(h);
    free(dir);
}

static void test_key_covers_text_arguments_paths_and_tool(void **state)
{
    char *dir = cache_dir("c-key"), *why;
    const char *args[] = {"-DX", "-DY"}, *joined[] = {"-DX-DY"};
    struct ca_cache *c = NULL, *c2 = NULL;
    struct ca_hash k;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "tool-1", &c, &why), CA_OK);
    assert_int_equal(ca_cache_open(dir, "tool-2", &c2, &why), CA_OK);
    k = ca_cache_key(c, "a.c", "/p/a.c", args, 2, "text", 4);
    assert_true(ca_hash_eq(k, ca_cache_key(c, "a.c", "/p/a.c", args, 2, "text", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c, "a.c", "/p/a.c", args, 2, "texT", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c, "a.c", "/p/a.c", args, 1, "text", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c, "a.c", "/p/a.c", joined, 1, "text", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c, "b.c", "/p/a.c", args, 2, "text", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c, "a.c", "/q/a.c", args, 2, "text", 4)));
    assert_false(ca_hash_eq(k, ca_cache_key(c2, "a.c", "/p/a.c", args, 2, "text", 4)));
    ca_cache_free(c);
    ca_cache_free(c2);
    free(dir);
}

/* Store facts that depend on header `h`, then run `change` on it in a new "run" (a new cache
 * object: the file states are memoised per run) and return whether the entry still hits. */
static bool hits_after(const char *name, void (*change)(const char *h))
{
    char *dir = cache_dir(name), *h, *deps[1], *why;
    char hname[64];
    struct ca_cache *c = NULL;
    struct ca_tu_facts f, g;
    struct ca_hash k;
    bool hit = false;
    snprintf(hname, sizeof hname, "%s.h", name);
    h = tu_write_temp(hname, "#define N 1\n");
    deps[0] = h;
    set_mtime(h, 1000000000);
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    make_facts(&f, "a.c", deps, 1);
    k = ca_cache_key(c, "a.c", "a.c", NULL, 0, "x", 1);
    assert_int_equal(ca_cache_put(c, k, h, &f, far_future()), CA_OK);
    ca_cache_free(c);
    change(h);
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
    if (!hit) {
        struct ca_cache_stats cs;
        ca_cache_stats(c, &cs);
        assert_int_equal(cs.stale, 1);
    }
    ca_facts_fini(&f);
    ca_facts_fini(&g);
    ca_cache_free(c);
    free(h);
    free(dir);
    return hit;
}

static void nothing(const char *h) { (void)h; }
static void touch(const char *h) { set_mtime(h, 1200000000); }
static void same_size_edit(const char *h)
{
    FILE *f = fopen(h, "w");
    fputs("#define N 2\n", f);
    fclose(f);
    set_mtime(h, 1000000000); /* even with the old time: the size matches, the contents do not... */
}
static void same_size_edit_new_time(const char *h)
{
    FILE *f = fopen(h, "w");
    fputs("#define N 2\n", f);
    fclose(f);
}
static void grow(const char *h)
{
    FILE *f = fopen(h, "a");
    fputs("#define M 3\n", f);
    fclose(f);
}
static void delete(const char *h) { unlink(h); }

static void test_a_dep_invalidates_by_size_time_and_contents(void **state)
{
    (void)state;
    assert_true(hits_after("d-none", nothing));
    assert_true(hits_after("d-touch", touch)); /* same contents, new time: still valid */
    assert_false(hits_after("d-edit", same_size_edit_new_time));
    assert_false(hits_after("d-grow", grow));
    assert_false(hits_after("d-delete", delete));
    /* ...but size and time are trusted as they are (make, ninja and ccache's direct mode do
     * the same): an edit that keeps both is not seen. */
    assert_true(hits_after("d-sneaky", same_size_edit));
}

static void test_facts_from_a_file_changed_during_the_run_are_not_stored(void **state)
{
    char *dir = cache_dir("c-race"), *h = tu_write_temp("race.h", "x"), *deps[] = {h}, *why;
    struct ca_cache *c = NULL;
    struct ca_tu_facts f, g;
    struct ca_hash k;
    struct ca_cache_stats cs;
    bool hit = true;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    make_facts(&f, "a.c", deps, 1);
    k = ca_cache_key(c, "a.c", "a.c", NULL, 0, "x", 1);
    /* the run started before the header's modification time */
    assert_int_equal(ca_cache_put(c, k, h, &f, ca_cache_now_ns() - (int64_t)3600 * 1000000000), CA_OK);
    assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
    assert_false(hit);
    ca_cache_stats(c, &cs);
    assert_int_equal(cs.stored, 0);
    ca_facts_fini(&f);
    ca_facts_fini(&g);
    ca_cache_free(c);
    free(h);
    free(dir);
}

/* Every prefix of an entry, and every single-byte corruption, is a miss, never a crash. */
static void test_corrupt_entries_are_misses(void **state)
{
    char *dir = cache_dir("c-corrupt"), *h = tu_write_temp("corrupt.h", "x"), *deps[] = {h}, *why;
    char entry[4096], hex[33];
    struct ca_cache *c = NULL;
    struct ca_tu_facts f, g;
    struct ca_hash k;
    char *orig = NULL;
    size_t len = 0;
    bool hit;
    (void)state;
    set_mtime(h, 1000000000);
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    make_facts(&f, "a.c", deps, 1);
    k = ca_cache_key(c, "a.c", "a.c", NULL, 0, "x", 1);
    assert_int_equal(ca_cache_put(c, k, h, &f, far_future()), CA_OK);
    ca_hash_hex(k, hex);
    snprintf(entry, sizeof entry, "%s/facts/%.2s/%s", dir, hex, hex + 2);
    assert_int_equal(ca_file_read(entry, &orig, &len), CA_OK);
    for (size_t n = 0; n < len; n += n < 64 ? 1 : 7) {
        FILE *o = fopen(entry, "wb");
        fwrite(orig, 1, n, o);
        fclose(o);
        assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
        assert_false(hit);
        ca_facts_fini(&g);
    }
    for (size_t i = 0; i < len; i += 3) {
        FILE *o = fopen(entry, "wb");
        orig[i] ^= 0x5a;
        fwrite(orig, 1, len, o);
        orig[i] ^= 0x5a;
        fclose(o);
        assert_int_equal(ca_cache_get(c, k, &g, &hit), CA_OK);
        /* a flipped byte in a dep's recorded time or hash may still validate by the other;
         * anything else must miss */
        if (hit) assert_true(i >= 32 && i < 32 + 32);
        ca_facts_fini(&g);
    }
    ca_free(orig);
    ca_facts_fini(&f);
    ca_cache_free(c);
    free(h);
    free(dir);
}

struct job {
    struct ca_cache *c;
    char **files; /* 5 existing files: the main files of the entries */
    int hits;
};

static void *hammer(void *arg)
{
    struct job *j = arg;
    for (int r = 0; r < 30; r++) {
        const char *name = j->files[r % 5];
        struct ca_tu_facts f, g;
        struct ca_hash k;
        bool hit;
        make_facts(&f, name, NULL, 0);
        k = ca_cache_key(j->c, name, name, NULL, 0, name, strlen(name));
        assert_int_equal(ca_cache_put(j->c, k, name, &f, far_future()), CA_OK);
        assert_int_equal(ca_cache_get(j->c, k, &g, &hit), CA_OK);
        if (hit) {
            assert_string_equal(g.path, name);
            j->hits++;
        }
        ca_facts_fini(&f);
        ca_facts_fini(&g);
    }
    return NULL;
}

static void test_threads_share_one_cache(void **state)
{
    char *dir = cache_dir("c-threads"), *why;
    struct ca_cache *c = NULL;
    pthread_t th[4];
    struct job jobs[4];
    char *files[5];
    (void)state;
    for (int i = 0; i < 5; i++) {
        char n[16];
        snprintf(n, sizeof n, "t%d.c", i);
        files[i] = tu_write_temp(n, "int x;\n");
        set_mtime(files[i], 1000000000);
    }
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct job){c, files, 0};
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].hits, 30); /* writes are atomic: a reader sees old or new, whole */
    }
    for (int i = 0; i < 5; i++) free(files[i]);
    ca_cache_free(c);
    free(dir);
}

/* ---- whole runs */

static void test_a_run_comes_back_while_its_files_are_unchanged(void **state)
{
    char *dir = cache_dir("c-run"), *a = tu_write_temp("run-a.c", "int a;\n"), *h = tu_write_temp("run.h", "x\n");
    const char *files[] = {a, h};
    struct ca_cache *c = NULL;
    struct ca_hash k = ca_hash128("run", 3, 0), other = ca_hash128("other", 5, 0);
    char *why, *blob = NULL, path[4096], hex[33];
    size_t len = 0;
    bool hit = false;
    FILE *f;
    (void)state;
    set_mtime(a, 1000000000);
    set_mtime(h, 1000000000);
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    assert_int_equal(ca_cache_put_run(c, k, files, 2, "report\0bytes", 12, far_future()), CA_OK);
    assert_int_equal(ca_cache_get_run(c, k, &blob, &len, &hit), CA_OK);
    assert_true(hit);
    assert_int_equal(len, 12);
    assert_memory_equal(blob, "report\0bytes", 12);
    ca_free(blob);
    assert_int_equal(ca_cache_get_run(c, other, &blob, &len, &hit), CA_OK);
    assert_false(hit);
    assert_null(blob);
    ca_cache_free(c);
    /* another run: the header changed (same size, new contents and time) */
    f = fopen(h, "w");
    fputs("y\n", f);
    fclose(f);
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    assert_int_equal(ca_cache_get_run(c, k, &blob, &len, &hit), CA_OK);
    assert_false(hit);
    ca_cache_free(c);
    /* stored again, then one byte of the entry damaged: a miss */
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    assert_int_equal(ca_cache_put_run(c, k, files, 2, "r2", 2, far_future()), CA_OK);
    ca_hash_hex(k, hex);
    snprintf(path, sizeof path, "%s/runs/%s", dir, hex);
    f = fopen(path, "r+b");
    fseek(f, -1, SEEK_END);
    fputc('!', f);
    fclose(f);
    assert_int_equal(ca_cache_get_run(c, k, &blob, &len, &hit), CA_OK);
    assert_false(hit);
    /* a file modified after the run started: not stored */
    assert_int_equal(ca_cache_put_run(c, k, files, 2, "r3", 2, ca_cache_now_ns() - (int64_t)3600 * 1000000000),
                     CA_OK);
    assert_int_equal(ca_cache_get_run(c, k, &blob, &len, &hit), CA_OK);
    assert_false(hit);
    ca_cache_free(c);
    free(a);
    free(h);
    free(dir);
}

static void test_only_the_newest_runs_are_kept(void **state)
{
    char *dir = cache_dir("c-prune"), *why, runs[4096];
    struct ca_cache *c = NULL;
    char *blob = NULL;
    size_t len, n = 0;
    bool hit;
    DIR *d;
    struct dirent *e;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    for (int i = 0; i < 20; i++) {
        char k[16];
        snprintf(k, sizeof k, "run%d", i);
        assert_int_equal(ca_cache_put_run(c, ca_hash128(k, strlen(k), 0), NULL, 0, k, strlen(k), far_future()), CA_OK);
    }
    snprintf(runs, sizeof runs, "%s/runs", dir);
    assert_non_null(d = opendir(runs));
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    assert_int_equal(n, 16);
    assert_int_equal(ca_cache_get_run(c, ca_hash128("run19", 5, 0), &blob, &len, &hit), CA_OK);
    assert_true(hit); /* the newest stays */
    ca_free(blob);
    assert_int_equal(ca_cache_get_run(c, ca_hash128("run0", 4, 0), &blob, &len, &hit), CA_OK);
    assert_false(hit); /* the oldest went */
    ca_cache_free(c);
    free(dir);
}

static void entry_file(const char *dir, struct ca_hash k, char *out, size_t n)
{
    char hex[33];
    ca_hash_hex(k, hex);
    snprintf(out, n, "%s/facts/%.2s/%s", dir, hex, hex + 2);
}

static void write_file(const char *path, size_t bytes, time_t mtime)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < bytes; i++) fputc('p', fp);
    fclose(fp);
    set_mtime(path, mtime);
}

/* Facts entries and PCH groups go least recently used first, down to 80% of the limit; a PCH's
 * three files go together; nothing used after keep_after; a hit counts as a use; temporary files
 * of writers at work are not touched. */
static void test_facts_and_pchs_are_pruned_least_recently_used_first(void **state)
{
    char *dir = cache_dir("c-lru"), *why, path[4][4096], p[4096];
    struct ca_cache *c = NULL;
    struct ca_tu_facts f, g;
    struct ca_hash k[4];
    struct ca_cache_prune_stats ps;
    struct stat sb;
    uint64_t total, one;
    const time_t age[4] = {1000, 2000, 3000, 0};
    bool hit;
    (void)state;
    assert_int_equal(ca_cache_open(dir, "id", &c, &why), CA_OK);
    make_facts(&f, "src/a.c", NULL, 0);
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "k%d", i);
        k[i] = ca_hash128(name, 2, 0);
        assert_int_equal(ca_cache_put(c, k[i], "/", &f, far_future()), CA_OK);
        entry_file(dir, k[i], path[i], sizeof path[i]);
        if (age[i]) set_mtime(path[i], age[i]);
    }
    assert_int_equal(stat(path[0], &sb), 0);
    one = (uint64_t)sb.st_size;
    snprintf(p, sizeof p, "%s/pch", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/pch/0a1b.pch", dir); write_file(p, 20000, 1500);
    snprintf(p, sizeof p, "%s/pch/0a1b.h", dir); write_file(p, 100, 1400);
    snprintf(p, sizeof p, "%s/pch/0a1b.meta", dir); write_file(p, 50, 1500);
    snprintf(p, sizeof p, "%s/pch/.tmp-0a1b", dir); write_file(p, 9999, 100);
    total = 4 * one + 20150;

    assert_int_equal(ca_cache_prune(c, 0, far_future(), &ps), CA_OK); /* no limit */
    assert_true(ps.bytes_before == total && ps.bytes_after == total && ps.removed == 0);
    assert_int_equal(ca_cache_prune(c, total, far_future(), &ps), CA_OK); /* at the limit */
    assert_int_equal(ps.removed, 0);
    /* over it: k0 (1000 s) and the PCH group (1500 s) bring it under 80% */
    assert_int_equal(ca_cache_prune(c, (total - one - 20150) * 100 / 80 + 100, far_future(), &ps), CA_OK);
    assert_int_equal(ps.removed, 2);
    assert_true(ps.bytes_after == total - one - 20150);
    assert_int_not_equal(stat(path[0], &sb), 0);
    for (int i = 1; i < 4; i++) assert_int_equal(stat(path[i], &sb), 0);
    snprintf(p, sizeof p, "%s/pch/0a1b.h", dir);
    assert_int_not_equal(stat(p, &sb), 0);
    snprintf(p, sizeof p, "%s/pch/.tmp-0a1b", dir);
    assert_int_equal(stat(p, &sb), 0); /* a writer's temporary file */
    /* a hit is a use: k1 becomes the newest */
    assert_int_equal(ca_cache_get(c, k[1], &g, &hit), CA_OK);
    assert_true(hit);
    ca_facts_fini(&g);
    /* everything is over a limit of 1 byte, but what was used at or after keep_after stays:
     * with 2500 s, k2 (3000 s) and the recent k1 and k3; with 3500 s, k2 goes */
    assert_int_equal(ca_cache_prune(c, 1, (int64_t)2500 * 1000000000, &ps), CA_OK);
    assert_int_equal(ps.removed, 0);
    assert_int_equal(ca_cache_prune(c, 1, (int64_t)3500 * 1000000000, &ps), CA_OK);
    assert_int_equal(ps.removed, 1); /* k2; k1 (just hit) and k3 (just written) are recent */
    assert_int_not_equal(stat(path[2], &sb), 0);
    assert_int_equal(stat(path[1], &sb), 0);
    assert_int_equal(stat(path[3], &sb), 0);
    ca_facts_fini(&f);
    ca_cache_free(c);
    free(dir);
}

/* ---- shards */

static void test_shard_spec_is_k_of_n(void **state)
{
    uint32_t k, n;
    (void)state;
    assert_true(ca_shard_parse_spec("2/4", &k, &n));
    assert_int_equal(k, 2);
    assert_int_equal(n, 4);
    assert_true(ca_shard_parse_spec("1/1", &k, &n));
    assert_false(ca_shard_parse_spec("0/4", &k, &n));
    assert_false(ca_shard_parse_spec("5/4", &k, &n));
    assert_false(ca_shard_parse_spec("2/", &k, &n));
    assert_false(ca_shard_parse_spec("/4", &k, &n));
    assert_false(ca_shard_parse_spec("2/4x", &k, &n));
    assert_false(ca_shard_parse_spec("-1/4", &k, &n));
    assert_false(ca_shard_parse_spec("1/-4", &k, &n));
    assert_false(ca_shard_parse_spec("1/1000001", &k, &n));
}

/* The shard files of 5 inputs in 3 shards. */
static void write_shards(struct ca_buf out[3], const char *tool)
{
    const char *names[] = {"a.c", "b.c", "c.c", "d.c", "e.c"};
    struct ca_shard_run r = {tool, 3, 5, ca_shard_inputs_hash(names, 5)};
    for (uint32_t k = 1; k <= 3; k++) {
        struct ca_tu_facts tus[2];
        uint32_t index[2], n = 0;
        for (uint32_t i = k - 1; i < 5; i += 3) {
            make_facts(&tus[n], names[i], NULL, 0);
            index[n++] = i;
        }
        ca_buf_init(&out[k - 1]);
        assert_int_equal(ca_shard_write(&r, k, index, tus, n, &out[k - 1]), CA_OK);
        for (uint32_t i = 0; i < n; i++) ca_facts_fini(&tus[i]);
    }
}

static void test_shards_join_back_in_the_runs_order(void **state)
{
    struct ca_buf b[3];
    struct ca_shard_set s;
    char *why = NULL;
    (void)state;
    write_shards(b, "tool");
    ca_shard_set_init(&s);
    assert_int_equal(ca_shard_set_add(&s, "s3", b[2].data, b[2].len, &why), CA_OK);
    assert_int_equal(ca_shard_set_add(&s, "s1", b[0].data, b[0].len, &why), CA_OK);
    assert_int_equal(ca_shard_set_add(&s, "s2", b[1].data, b[1].len, &why), CA_OK);
    assert_int_equal(ca_shard_set_finish(&s, &why), CA_OK);
    assert_int_equal(s.ninputs, 5);
    assert_string_equal(s.tus[0].path, "a.c");
    assert_string_equal(s.tus[3].path, "d.c");
    assert_string_equal(s.tus[4].path, "e.c");
    assert_int_equal(s.tus[4].nloops, 1);
    ca_shard_set_fini(&s);
    for (int i = 0; i < 3; i++) ca_buf_fini(&b[i]);
}

static void expect_join_error(const char *const *names, struct ca_buf *const *files, size_t n, const char *msg)
{
    struct ca_shard_set s;
    char *why = NULL;
    enum ca_status st = CA_OK;
    ca_shard_set_init(&s);
    for (size_t i = 0; i < n && st == CA_OK; i++) st = ca_shard_set_add(&s, names[i], files[i]->data, files[i]->len, &why);
    if (st == CA_OK) st = ca_shard_set_finish(&s, &why);
    assert_int_equal(st, CA_ERR_PARSE);
    assert_non_null(why);
    if (!strstr(why, msg)) fail_msg("'%s' does not say '%s'", why, msg);
    ca_free(why);
    ca_shard_set_fini(&s);
}

static void test_shard_sets_that_do_not_belong_together_are_refused(void **state)
{
    struct ca_buf b[3], o[3], t[3];
    const char *names[] = {"s1", "s2", "s3", "s4"};
    const char *other[] = {"a.c", "b.c", "c.c", "d.c", "X.c"};
    struct ca_shard_run r = {"tool", 3, 5, ca_shard_inputs_hash(other, 5)};
    struct ca_tu_facts tu;
    (void)state;
    write_shards(b, "tool");
    write_shards(t, "other-tool");
    make_facts(&tu, "b.c", NULL, 0);
    ca_buf_init(&o[1]);
    assert_int_equal(ca_shard_write(&r, 2, (uint32_t[]){1}, &tu, 1, &o[1]), CA_OK);
    ca_facts_fini(&tu);
    expect_join_error(names, (struct ca_buf *const[]){&b[0], &b[2]}, 2, "missing shard 2/3");
    expect_join_error(names, (struct ca_buf *const[]){&b[0], &b[0], &b[1], &b[2]}, 4, "shard 1/3 given twice");
    expect_join_error(names, (struct ca_buf *const[]){&b[0], &o[1], &b[2]}, 3, "s2: a shard of another run");
    expect_join_error(names, (struct ca_buf *const[]){&b[0], &t[1], &b[2]}, 3, "s2: written by another concadvise build");
    expect_join_error(names, (struct ca_buf *const[]){&b[0]}, 0, "no shard files");
    for (size_t n = 0; n < b[1].len; n++) { /* every truncation of a shard */
        struct ca_buf cut = {b[1].data, n, n, 0};
        expect_join_error(names, (struct ca_buf *const[]){&b[0], &cut, &b[2]}, 3, "s2: ");
    }
    for (int i = 0; i < 3; i++) {
        ca_buf_fini(&b[i]);
        ca_buf_fini(&t[i]);
    }
    ca_buf_fini(&o[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_is_murmur3_x64_128),
        cmocka_unit_test(test_open_creates_a_tagged_git_ignored_directory),
        cmocka_unit_test(test_put_then_get_gives_the_same_facts),
        cmocka_unit_test(test_key_covers_text_arguments_paths_and_tool),
        cmocka_unit_test(test_a_dep_invalidates_by_size_time_and_contents),
        cmocka_unit_test(test_facts_from_a_file_changed_during_the_run_are_not_stored),
        cmocka_unit_test(test_corrupt_entries_are_misses),
        cmocka_unit_test(test_threads_share_one_cache),
        cmocka_unit_test(test_a_run_comes_back_while_its_files_are_unchanged),
        cmocka_unit_test(test_only_the_newest_runs_are_kept),
        cmocka_unit_test(test_facts_and_pchs_are_pruned_least_recently_used_first),
        cmocka_unit_test(test_shard_spec_is_k_of_n),
        cmocka_unit_test(test_shards_join_back_in_the_runs_order),
        cmocka_unit_test(test_shard_sets_that_do_not_belong_together_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
