/* runcache.c: whole runs from the cache (docs/perf.md#whole-runs).  Builds the key of a run,
 * replays a stored report, and stores one; the storage and the checks of files are the cache's
 * (analyzer/cache.c). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"

/* An unchanged tree gives back the report of the last identical
 * run without parsing or analysing.  The key holds what the run read besides files (the options
 * that shape the report, the environment, the working directory, the inputs and their flags);
 * the files (the concadvise binary, the rules, the configuration and catalogs, the baseline and
 * profile, every input and every header it read) are checked by the cache, by size and time or
 * else contents. */

bool cli_run_cacheable(const struct cli *c)
{
    /* never for runs with side effects or inputs of their own: --bench runs code, an editor
     * buffer is not a file, a baseline is written, shards and facts are other outputs */
    return !c->bench && !c->stdin_filename && !c->write_baseline && !c->dump_facts && !c->shard_n && !c->merge;
}

static void key_str(struct ca_buf *b, const char *s)
{
    ca_buf_puts(b, s ? s : "(null)");
    ca_buf_putc(b, '\0');
}

enum ca_status cli_run_key(const struct run *rn, struct ca_hash *key)
{
    const struct cli *c = rn->c;
    struct ca_buf b;
    char cwd[PATH_MAX];
    ca_buf_init(&b);
    key_str(&b, "concadvise run 1");
    key_str(&b, rn->tool_id);
    key_str(&b, getcwd(cwd, sizeof cwd) ? cwd : "");
    ca_buf_printf(&b, "format=%d all=%d top=%u fail=%d color=%d quiet=%d tty2=%d pch=%d", (int)c->format, c->all,
                  c->top, rn->fail_on, cli_use_color(c), c->quiet, isatty(2), !c->no_pch);
    ca_buf_putc(&b, '\0');
    /* where the report goes does not change it; only the summary line names the file */
    key_str(&b, c->output && !c->quiet && isatty(2) ? c->output : c->output ? "(file)" : NULL);
    key_str(&b, c->baseline);
    key_str(&b, c->profile);
    key_str(&b, rn->have_cfg ? rn->cfg.path : NULL);
    key_str(&b, rn->rules_dir);
    for (size_t i = 0; i < c->ncatalogs; i++) key_str(&b, c->catalogs[i]);
    ca_buf_printf(&b, "inputs=%zu", rn->selected.n);
    ca_buf_putc(&b, '\0');
    for (size_t i = 0; i < rn->selected.n; i++) {
        const struct ca_input *in = &rn->selected.items[i];
        key_str(&b, in->display);
        key_str(&b, in->path);
        ca_buf_printf(&b, "%zu", in->nargs);
        ca_buf_putc(&b, '\0');
        for (size_t a = 0; a < in->nargs; a++) key_str(&b, in->args[a]);
    }
    if (b.failed) {
        ca_buf_fini(&b);
        return CA_ERR_NOMEM;
    }
    *key = ca_hash128(b.data, b.len, 0);
    ca_buf_fini(&b);
    return CA_OK;
}

/* The blob of a run: u32 exit status; u64 count, u64 length and the NUL-separated paths where
 * headers that were not found would appear (ca_engine_absent_paths: the run is valid while none
 * exists); u64 length and what it said on stderr; then the report. */
int cli_run_replay(struct run *rn, struct ca_hash key, double t_start)
{
    char *blob = NULL, *p;
    size_t len = 0, left;
    bool hit = false;
    uint32_t rc;
    uint64_t nabsent, alen, elen;
    int out = -1;
    if (ca_cache_get_run(rn->cache, key, &blob, &len, &hit) != CA_OK || !hit) goto done;
    if (len < 28) goto done;
    memcpy(&rc, blob, 4);
    memcpy(&nabsent, blob + 4, 8);
    memcpy(&alen, blob + 12, 8);
    p = blob + 20;
    left = len - 20;
    if (alen > left || (alen && p[alen - 1] != '\0') || !ca_engine_all_absent(p, nabsent)) goto done;
    p += alen;
    left -= alen;
    if (left < 8) goto done;
    memcpy(&elen, p, 8);
    p += 8;
    left -= 8;
    if (elen > left) goto done;
    if (!cli_emit(rn->c, p + elen, left - elen)) {
        out = EXIT_INPUTS;
        goto done;
    }
    fwrite(p, 1, elen, stderr);
    if (rn->c->stats)
        fprintf(stderr, "concadvise: stats: %zu input%s: the report of an identical earlier run, from the cache (%s); "
                        "total %.3f s\n",
                rn->selected.n, rn->selected.n == 1 ? "" : "s", ca_cache_dir(rn->cache), cli_now() - t_start);
    out = (int)rc;
done:
    ca_free(blob);
    return out;
}

/* Appends to `names` (NUL-separated) the catalogs and rule metadata files of rules directory
 * `dir`: its .json files and those of its checks directory. */
static enum ca_status add_rule_files(const char *dir, struct ca_buf *names, size_t *n)
{
    static const char *const subs[] = {"", "/checks"};
    for (size_t k = 0; k < 2; k++) {
        struct ca_buf d;
        DIR *dp;
        struct dirent *e;
        ca_buf_init(&d);
        ca_buf_printf(&d, "%s%s", dir, subs[k]);
        if (d.failed) {
            ca_buf_fini(&d);
            return CA_ERR_NOMEM;
        }
        if ((dp = opendir(d.data))) {
            while ((e = readdir(dp))) {
                size_t l = strlen(e->d_name);
                if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
                    ca_buf_printf(names, "%s/%s", d.data, e->d_name);
                    ca_buf_putc(names, '\0');
                    (*n)++;
                }
            }
            closedir(dp);
        }
        ca_buf_fini(&d);
    }
    return names->failed ? CA_ERR_NOMEM : CA_OK;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keeps this run's report for an identical later run, when everything it read can be checked
 * for change: not when an input is missing (it may appear), nor when a header was not found or
 * libclang failed (a header may appear where no recorded file changes). */
void cli_run_store(struct run *rn, struct ca_hash key, int rc, const struct ca_buf *err, const struct ca_buf *out)
{
    const struct cli *c = rn->c;
    struct ca_buf names, blob, absent;
    const char **files = NULL;
    size_t n = 0;
    uint64_t nabsent = 0, alen;
    char exe[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    uint32_t rc32 = (uint32_t)rc;
    uint64_t elen = err->len;
    if (el <= 0 || out->failed || err->failed) return;
    exe[el] = '\0';
    for (size_t i = 0; i < rn->ntus; i++) {
        const struct ca_tu_facts *f = &rn->tus[i];
        if (f->status == CA_TU_MISSING) return;
        for (uint32_t d = 0; d < f->ndiags; d++)
            if (strncmp(f->diags[d].message, "libclang ", 9) == 0) return;
    }
    ca_buf_init(&names);
    ca_buf_init(&blob);
    ca_buf_init(&absent);
    for (size_t i = 0; i < rn->ntus; i++) nabsent += ca_engine_absent_paths(&rn->tus[i], &rn->selected.items[i], &absent);
    alen = absent.len;
    ca_buf_putn(&names, exe, strlen(exe) + 1);
    n++;
    if (add_rule_files(rn->rules_dir, &names, &n) != CA_OK) goto done;
#define ADD(p) do { ca_buf_putn(&names, (p), strlen(p) + 1); n++; } while (0)
    if (rn->have_cfg) {
        ADD(rn->cfg.path);
        for (size_t i = 0; i < rn->cfg.ncatalogs; i++) ADD(rn->cfg.catalogs[i]);
    }
    for (size_t i = 0; i < c->ncatalogs; i++) ADD(c->catalogs[i]);
    if (c->baseline) ADD(c->baseline);
    if (c->profile) ADD(c->profile);
    for (size_t i = 0; i < rn->selected.n; i++) ADD(rn->selected.items[i].path);
    for (size_t i = 0; i < rn->ntus; i++)
        for (uint32_t d = 0; d < rn->tus[i].ndeps; d++) ADD(rn->tus[i].deps[d]);
#undef ADD
    if (names.failed || !(files = ca_calloc(n + 1, sizeof *files))) goto done;
    for (size_t i = 0, at = 0; i < n; i++) {
        files[i] = names.data + at;
        at += strlen(files[i]) + 1;
    }
    /* once each: most inputs read the same headers */
    qsort(files, n, sizeof *files, cmp_cstr);
    {
        size_t u = 0;
        for (size_t i = 0; i < n; i++)
            if (!u || strcmp(files[u - 1], files[i]) != 0) files[u++] = files[i];
        n = u;
    }
    ca_buf_putn(&blob, (const char *)&rc32, 4);
    ca_buf_putn(&blob, (const char *)&nabsent, 8);
    ca_buf_putn(&blob, (const char *)&alen, 8);
    ca_buf_putn(&blob, absent.data ? absent.data : "", absent.len);
    ca_buf_putn(&blob, (const char *)&elen, 8);
    ca_buf_putn(&blob, err->data ? err->data : "", err->len);
    ca_buf_putn(&blob, out->data ? out->data : "", out->len);
    if (!blob.failed && ca_cache_put_run(rn->cache, key, files, n, blob.data, blob.len, rn->started_ns) != CA_OK) {
        /* out of memory: the run is simply not kept */
    }
done:
    ca_free(files);
    ca_buf_fini(&names);
    ca_buf_fini(&blob);
    ca_buf_fini(&absent);
}
