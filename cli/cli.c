/* cli.c: argv -> an immutable set of options -> the pipeline -> a report and an exit status.
 * The only code that prints to the terminal or exits.  Around the analysis it applies what the
 * project configured: .concadvise.json (include/exclude, user catalogs, severities, fail-on,
 * flags), inline suppressions, and a baseline; it reads the source texts that suppressions and
 * the HTML report need, and the editor buffer of --stdin-filename.  Shards and merge
 * (shards.c), whole runs from the cache (runcache.c) and the editor server (serve.c) live
 * beside it; cli_int.h is what they share.
 * Exit status: 0 nothing at or above --fail-on; 1 something is; 2 usage or configuration error;
 * 3 some inputs could not be analysed (takes precedence over 1). */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"
#include "front.h"
#include "microbench.h"
#include "profile.h"
#include "shard.h"

#ifndef CA_VERSION
#define CA_VERSION "0.0.0"
#endif

enum opt_id {
#define CA_OPT(id, s, l, a, m, h) OPT_##id,
#include "options.h"
#undef CA_OPT
    OPT_COUNT
};

struct opt_def {
    int shortname;
    const char *name;
    int has_arg;
    const char *metavar, *help;
};

static const struct opt_def opts[OPT_COUNT] = {
#define CA_OPT(id, s, l, a, m, h) {s, l, a, m, h},
#include "options.h"
#undef CA_OPT
};

/* ORDER FORMAT */
static const char *const format_names[] = {"text", "json", "sarif", "html", NULL};


static void usage_hint(const char *msg)
{
    fprintf(stderr, "concadvise: %s\nTry 'concadvise --help' for more information.\n", msg);
}

/* "FILE:LINE:COL: error: MESSAGE", or "FILE: error: MESSAGE" when there is no position. */
static void print_error(const char *file, uint32_t line, uint32_t col, const char *message)
{
    if (line) fprintf(stderr, "%s:%u:%u: error: %s\n", file, line, col, message ? message : "");
    else fprintf(stderr, "%s: error: %s\n", file, message ? message : "");
}

static void print_help(void)
{
    printf("Usage: concadvise [OPTION]... PATH...\n"
           "       concadvise [OPTION]... --stdin-filename PATH < BUFFER\n"
           "       concadvise --shard K/N -o SHARD [OPTION]... PATH...   (then:)\n"
           "       concadvise merge [OPTION]... SHARD...\n"
           "       concadvise serve [OPTION]...   (editors: requests on stdin, see docs/editors.md)\n"
           "       concadvise bench [OPTION]... (see concadvise bench --help)\n"
           "Find the hot loops of C and CPython-extension sources, classify them as I/O- or CPU-bound,\n"
           "work out whether the GIL is held, and recommend threading, multiprocessing or releasing the GIL.\n\n"
           "PATHs are .c files or directories (searched recursively). Compile flags come from\n"
           "compile_commands.json when one is found (or given with -p); otherwise they are synthesised.\n"
           "Settings are read from the nearest .concadvise.json above the first PATH (or the current\n"
           "directory); findings are silenced in the source with // concadvise: ignore[RULE-ID] reason\n\n"
           "Options:\n");
    for (int i = 0; i < OPT_COUNT; i++) {
        char left[64];
        if (opts[i].shortname)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].shortname, opts[i].name, opts[i].has_arg ? " " : "",
                     opts[i].has_arg ? opts[i].metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].has_arg ? " " : "",
                     opts[i].has_arg ? opts[i].metavar : "");
        printf("  %-32s %s\n", left, opts[i].help);
    }
    printf("\nExit status:\n"
           "  0  no diagnostic at or above --fail-on (or a baseline was written)\n"
           "  1  some diagnostic at or above --fail-on\n"
           "  2  usage or configuration error\n"
           "  3  some inputs could not be analysed (missing or not parsable)\n\n"
           "Environment: NO_COLOR (no colour), CONCADVISE_RULES (rules directory),\n"
           "CONCADVISE_PYTHON_INCLUDE (Python's include directory).\n\n"
           "Documentation: man concadvise; docs/cli.md (options, configuration, suppressions, baselines),\n"
           "docs/json-output.md, docs/ci.md, docs/editors.md; rules: --list-rules, --explain ID\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || !*s || *end || v > max || s[0] == '-') return 0;
    *out = v;
    return 1;
}

/* "512M", "2G", "100K", "4096", "0": bytes (binary units; a trailing "B" or "iB" is allowed). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;
    errno = 0;
    if (!*s || s[0] == '-') return 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s) return 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (shift && *end == 'i') end++;
    if (*end == 'B') end++;
    if (*end || (shift && v > (UINT64_MAX >> shift))) return 0;
    *out = (uint64_t)v << shift;
    return 1;
}

static void cli_fini(struct cli *c)
{
    free(c->extra);
    free(c->catalogs);
}

/* `merge`, `serve`: argv is what follows that word.  Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct cli *c, bool merge, bool serve)
{
    struct option lo[OPT_COUNT + 1];
    char shorts[2 * OPT_COUNT + 2];
    size_t ns = 0;
    int ch, idx;
    memset(lo, 0, sizeof lo);
    shorts[ns++] = ':';
    for (int i = 0; i < OPT_COUNT; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].has_arg ? required_argument : no_argument;
        lo[i].val = 256 + i;
        if (opts[i].shortname) {
            shorts[ns++] = (char)opts[i].shortname;
            if (opts[i].has_arg) shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    memset(c, 0, sizeof *c);
    c->cache_max = (uint64_t)512 << 20;
    c->merge = merge;
    c->serve = serve;
    c->fail_on = CA_CONFIG_FAIL_UNSET;
    c->color = -1;
    c->extra = calloc((size_t)argc + 1, sizeof *c->extra);
    c->catalogs = calloc((size_t)argc + 1, sizeof *c->catalogs);
    if (!c->extra || !c->catalogs) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(CA_ERR_NOMEM));
        return EXIT_USAGE;
    }
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
        int id = -1;
        unsigned long v;
        char msg[256];
        if (ch == '?' || ch == ':') {
            const char *bad = argv[optind - 1];
            snprintf(msg, sizeof msg, ch == ':' ? "option '%s' needs an argument" : "unknown option '%s'", bad);
            usage_hint(msg);
            return EXIT_USAGE;
        }
        if (ch >= 256) id = ch - 256;
        else
            for (int i = 0; i < OPT_COUNT; i++)
                if (opts[i].shortname == ch) id = i;
        switch (id) {
        case OPT_FORMAT: {
            int f = -1;
            for (int i = 0; format_names[i]; i++)
                if (strcmp(optarg, format_names[i]) == 0) f = i;
            if (f < 0) {
                snprintf(msg, sizeof msg, "unknown format '%s' (text, json, sarif or html)", optarg);
                usage_hint(msg);
                return EXIT_USAGE;
            }
            c->format = (enum format)f;
            break;
        }
        case OPT_OUTPUT: c->output = optarg; break;
        case OPT_ALL: c->all = true; break;
        case OPT_TOP:
            if (!parse_uint(optarg, 1000000, &v)) { usage_hint("--top needs a whole number"); return EXIT_USAGE; }
            c->top = (uint32_t)v;
            break;
        case OPT_JOBS:
            if (!parse_uint(optarg, 64, &v) || v == 0) { usage_hint("--jobs needs a number from 1 to 64"); return EXIT_USAGE; }
            c->jobs = (unsigned)v;
            break;
        case OPT_COMPDB: c->compdb = optarg; break;
        case OPT_NO_COMPDB: c->no_compdb = true; break;
        case OPT_PYINC: c->python_include = optarg; break;
        case OPT_EXTRA_ARG: c->extra[c->nextra++] = optarg; break;
        case OPT_CONFIG: c->config = optarg; break;
        case OPT_NO_CONFIG: c->no_config = true; break;
        case OPT_CATALOG: c->catalogs[c->ncatalogs++] = optarg; break;
        case OPT_FAIL_ON: {
            enum ca_severity s;
            if (strcmp(optarg, "never") == 0 || strcmp(optarg, "none") == 0) c->fail_on = CA_CONFIG_FAIL_NEVER;
            else if (ca_severity_parse(optarg, &s)) c->fail_on = (int)s;
            else { snprintf(msg, sizeof msg, "unknown severity '%s' (error, warning, note, never)", optarg); usage_hint(msg); return EXIT_USAGE; }
            break;
        }
        case OPT_BASELINE: c->baseline = optarg; break;
        case OPT_WRITE_BASELINE: c->write_baseline = optarg; break;
        case OPT_STDIN_FILENAME:
            if (!*optarg) { usage_hint("--stdin-filename needs a path"); return EXIT_USAGE; }
            c->stdin_filename = optarg;
            break;
        case OPT_RULES: c->rules_dir = optarg; break;
        case OPT_LIST_RULES: c->list_rules = true; break;
        case OPT_EXPLAIN: c->explain = optarg; break;
        case OPT_DUMP_FACTS: c->dump_facts = true; break;
        case OPT_PROFILE: c->profile = optarg; break;
        case OPT_BENCH: c->bench = true; break;
        case OPT_CACHE:
            if (!*optarg) { usage_hint("--cache needs a directory"); return EXIT_USAGE; }
            c->cache_dir = optarg;
            break;
        case OPT_NO_CACHE: c->no_cache = true; break;
        case OPT_CACHE_MAX_SIZE:
            if (!parse_size(optarg, &c->cache_max)) {
                usage_hint("--cache-max-size takes a size such as 512M, 2G or 0 (no limit)");
                return EXIT_USAGE;
            }
            c->cache_max_given = true;
            break;
        case OPT_NO_PCH: c->no_pch = true; break;
        case OPT_SHARD:
            if (!ca_shard_parse_spec(optarg, &c->shard_k, &c->shard_n)) {
                usage_hint("--shard takes K/N with 1 <= K <= N (e.g. --shard 2/4)");
                return EXIT_USAGE;
            }
            break;
        case OPT_STATS: c->stats = true; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) c->color = -1;
            else if (strcmp(optarg, "always") == 0) c->color = 1;
            else if (strcmp(optarg, "never") == 0) c->color = 0;
            else { usage_hint("--color takes auto, always or never"); return EXIT_USAGE; }
            break;
        case OPT_QUIET: c->quiet = true; break;
        case OPT_VERSION: {
            char *cv = ca_front_clang_version();
            printf("concadvise %s (%s)\n", CA_VERSION, cv ? cv : "libclang");
            ca_free(cv);
            return EXIT_CLEAN;
        }
        case OPT_HELP: print_help(); return EXIT_CLEAN;
        default: usage_hint("internal option error"); return EXIT_USAGE;
        }
    }
    c->paths = (const char **)argv + optind;
    c->npaths = (size_t)(argc - optind);
    if (c->merge) {
        /* The shards hold the facts: nothing about finding or parsing files applies. */
        const char *bad = c->compdb ? "-p" : c->no_compdb ? "--no-compile-commands" : c->python_include ? "--python-include"
                          : c->nextra ? "--extra-arg" : c->stdin_filename ? "--stdin-filename" : c->shard_n ? "--shard"
                          : c->dump_facts ? "--dump-facts" : c->cache_dir ? "--cache" : c->no_pch ? "--no-pch" : NULL;
        char msg[128];
        if (bad) {
            snprintf(msg, sizeof msg, "%s does not apply to merge (the shards hold the facts)", bad);
            usage_hint(msg);
            return EXIT_USAGE;
        }
        if (!c->npaths) {
            usage_hint("merge needs the shard files written by --shard K/N");
            return EXIT_USAGE;
        }
        return -1;
    }
    if (c->serve) {
        /* one report per request, always JSON, always to standard output */
        const char *bad = c->npaths ? "a PATH" : c->stdin_filename ? "--stdin-filename" : c->output ? "--output"
                          : c->shard_n ? "--shard" : c->dump_facts ? "--dump-facts" : c->bench ? "--bench"
                          : c->write_baseline ? "--write-baseline" : c->format != FMT_JSON && c->format != FMT_TEXT ? "--format"
                          : NULL;
        char msg[128];
        if (bad) {
            snprintf(msg, sizeof msg, "%s does not apply to serve (requests name the files; answers are JSON)", bad);
            usage_hint(msg);
            return EXIT_USAGE;
        }
        c->format = FMT_JSON;
        c->quiet = true;
        return -1;
    }
    if (c->shard_n && (!c->output || c->stdin_filename || c->dump_facts || c->bench || c->write_baseline)) {
        usage_hint(!c->output ? "--shard needs --output FILE (the shard's facts, for concadvise merge)"
                              : "--shard only parses: --stdin-filename, --dump-facts, --bench and --write-baseline "
                                "belong to a normal run or to merge");
        return EXIT_USAGE;
    }
    if (!c->npaths && !c->compdb && !c->list_rules && !c->explain && !c->stdin_filename) {
        usage_hint("no input: name files or directories, or a compile database with -p");
        return EXIT_USAGE;
    }
    return -1;
}

/* The rules directory: --rules, $CONCADVISE_RULES, next to the installed binary, the install
 * prefix, then the source tree the binary was built from. */
static const char *find_rules(const struct cli *c, char *buf, size_t n)
{
    const char *env = getenv("CONCADVISE_RULES");
    char exe[PATH_MAX];
    ssize_t len;
    if (c->rules_dir) return c->rules_dir;
    if (env && *env) return env;
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        char *slash;
        exe[len] = '\0';
        if ((slash = strrchr(exe, '/'))) *slash = '\0';
        /* Still in its build tree: the rules of the source it was built from, never an older
         * installed copy. */
        if (strcmp(exe, CA_BUILD_DIR) == 0) return CA_RULES_SOURCE_DIR;
        snprintf(buf, n, "%s/../share/concadvise/rules/io.json", exe);
        if (access(buf, R_OK) == 0) {
            snprintf(buf, n, "%s/../share/concadvise/rules", exe);
            return buf;
        }
    }
    snprintf(buf, n, "%s/io.json", CA_RULES_INSTALL_DIR);
    if (access(buf, R_OK) == 0) return CA_RULES_INSTALL_DIR;
    return CA_RULES_SOURCE_DIR;
}

static void list_rules(const struct ca_rules *r)
{
    for (uint32_t i = 0; i < ca_rules_nmeta(r); i++) {
        const struct ca_rule_meta *m = ca_rules_meta(r, i);
        printf("%-30s %-8s %s\n", m->id, m->severity, m->title);
    }
}

static int explain(const struct ca_rules *r, const char *id)
{
    const struct ca_rule_meta *m = ca_rules_find_meta(r, id);
    if (!m) {
        fprintf(stderr, "concadvise: no rule '%s' (see --list-rules)\n", id);
        return EXIT_USAGE;
    }
    printf("%s (%s, default severity %s)\n\n%s\n\n%s\n\nHow to fix: %s\n\nDocumentation: %s\n", m->id, m->name,
           m->severity, m->title, m->description, m->help, m->doc);
    return EXIT_CLEAN;
}

/* Progress on a terminal: "[done/total] file", rewritten in place, erased at the end. */
static void on_progress(void *ctx, size_t done, size_t total, const char *file)
{
    (void)ctx;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total, file);
    if (done == total) fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

int cli_write_out(const char *path, const char *data, size_t len);

/* The report: into the serve request's buffer, else to --output or stdout. */
int cli_emit(const struct cli *c, const char *data, size_t len)
{
    if (c->capture) {
        ca_buf_putn(c->capture, data, len);
        return !c->capture->failed;
    }
    return cli_write_out(c->output, data, len);
}

int cli_write_out(const char *path, const char *data, size_t len)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    int ok;
    if (!f) {
        fprintf(stderr, "concadvise: cannot write %s: %s\n", path, strerror(errno));
        return 0;
    }
    ok = fwrite(data, 1, len, f) == len;
    ok = (path ? fclose(f) == 0 : fflush(f) == 0) && ok;
    if (!ok) fprintf(stderr, "concadvise: cannot write %s: %s\n", path ? path : "standard output", strerror(errno));
    return ok;
}

/* ---- source texts: for suppressions and the HTML report.  Each file is read once. */


static void sources_fini(struct sources *s)
{
    for (size_t i = 0; i < s->n; i++) {
        ca_free(s->owned[i]);
        ca_free((char *)s->v[i].file);
    }
    ca_free(s->v);
    ca_free(s->owned);
    memset(s, 0, sizeof *s);
}

static const struct ca_source *sources_find(const struct sources *s, const char *file)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].file, file) == 0) return &s->v[i];
    return NULL;
}

/* Add `file` with `text` (borrowed) or, when text is NULL, read from `path`.  A file that
 * cannot be read is added with a NULL text (the HTML report says so; nothing to suppress). */
static enum ca_status sources_add(struct sources *s, const char *file, const char *path, const char *text, size_t len)
{
    struct ca_source src = {NULL, text, len};
    char *owned = NULL;
    enum ca_status st;
    if (!text && ca_file_read(path, &owned, &src.len) == CA_ERR_NOMEM) return CA_ERR_NOMEM;
    if (!text) src.text = owned;
    if (!(src.file = ca_strdup(file))) {
        ca_free(owned);
        return CA_ERR_NOMEM;
    }
    st = ca_grow((void **)&s->owned, &s->cap2, s->n + 1, sizeof *s->owned);
    if (st == CA_OK) CA_PUSH(st, s->v, s->n, s->cap, src);
    if (st != CA_OK) {
        ca_free(owned);
        ca_free((char *)src.file);
        return st;
    }
    s->owned[s->n - 1] = owned;
    return CA_OK;
}

/* ---- editor mode */

static enum ca_status read_all_stdin(char **out, size_t *len)
{
    struct ca_buf b;
    char chunk[65536];
    size_t n;
    ca_buf_init(&b);
    ca_buf_putn(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) ca_buf_putn(&b, chunk, n);
    if (ferror(stdin)) {
        ca_buf_fini(&b);
        return CA_ERR_IO;
    }
    if (b.failed) {
        ca_buf_fini(&b);
        return CA_ERR_NOMEM;
    }
    *len = b.len;
    *out = ca_buf_take(&b);
    return *out ? CA_OK : CA_ERR_NOMEM;
}

static const char *skip_dot_slash(const char *p)
{
    while (p[0] == '.' && p[1] == '/') p += 2;
    return p;
}

/* Is the input `in` the file the user named `path`?  The same real file, or for a file that
 * does not exist (yet) the same spelling up to leading "./". */
static bool is_same_file(const struct ca_input *in, const char *path)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(in->path, a) && realpath(path, b)) return strcmp(a, b) == 0;
    return strcmp(skip_dot_slash(in->display), skip_dot_slash(path)) == 0;
}

/* The engine gives the buffer to the input whose display path is --stdin-filename, so make the
 * input that is PATH (the same real file, however it was reached) show as PATH, as the user gave
 * it; and when the file does not exist on disk (a new buffer), give it the flags a file of that
 * directory would get: its directory and Python's include directory, then the extra arguments.
 * *index is the input's index, or SIZE_MAX when it is not among them. */
static enum ca_status adopt_stdin_input(struct ca_input_list *l, const char *path, const char *const *extra,
                                        size_t nextra, size_t *index)
{
    struct ca_input *in = NULL;
    *index = SIZE_MAX;
    for (size_t i = 0; i < l->n && !in; i++)
        if (is_same_file(&l->items[i], path)) {
            in = &l->items[i];
            *index = i;
        }
    if (!in) return CA_OK;
    if (strcmp(in->display, path) != 0) {
        char *d = ca_strdup(path);
        if (!d) return CA_ERR_NOMEM;
        ca_free(in->display);
        in->display = d;
    }
    if (in->missing && in->nargs == 0) {
        char cwd[PATH_MAX];
        const char *slash = strrchr(path, '/');
        size_t k = 0, n = 2 + nextra;
        char **args = ca_calloc(n, sizeof *args);
        if (!args) return CA_ERR_NOMEM;
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
        {
            struct ca_buf b;
            ca_buf_init(&b);
            if (path[0] == '/') ca_buf_printf(&b, "-I%.*s", slash == path ? 1 : (int)(slash - path), path);
            else if (slash) ca_buf_printf(&b, "-I%s/%.*s", cwd, (int)(slash - path), path);
            else ca_buf_printf(&b, "-I%s", cwd);
            args[k++] = ca_buf_take(&b);
        }
        if (l->python_include) {
            struct ca_buf b;
            ca_buf_init(&b);
            ca_buf_printf(&b, "-I%s", l->python_include);
            args[k++] = ca_buf_take(&b);
        }
        for (size_t i = 0; i < nextra; i++) args[k++] = ca_strdup(extra[i]);
        for (size_t i = 0; i < k; i++)
            if (!args[i]) {
                for (size_t j = 0; j < k; j++) ca_free(args[j]);
                ca_free(args);
                return CA_ERR_NOMEM;
            }
        in->args = args;
        in->nargs = k;
    }
    return CA_OK;
}

/* ---- the run */


/* The project configuration: --config FILE, else the nearest .concadvise.json (unless
 * --no-config).  Returns -1 to go on or an exit status. */
static int load_config(struct run *rn)
{
    const struct cli *c = rn->c;
    struct ca_config_error err;
    char *found = NULL;
    const char *path = c->config;
    enum ca_status st;
    int rc = -1;

    memset(&err, 0, sizeof err);
    if (!path && !c->no_config) {
        const char *start = c->stdin_filename ? c->stdin_filename : c->npaths && !c->merge ? c->paths[0] : NULL;
        if (ca_config_find(start, &found) != CA_OK) {
            fprintf(stderr, "concadvise: error: %s\n", ca_status_str(CA_ERR_NOMEM));
            return EXIT_USAGE;
        }
        path = found;
    }
    if (!path) return -1;
    st = ca_config_load(path, &rn->cfg, &err);
    if (st == CA_OK) st = ca_config_check_rules(&rn->cfg, rn->rules, &err);
    if (st != CA_OK) {
        print_error(err.file ? err.file : path, err.line, err.col, err.message ? err.message : ca_status_str(st));
        rc = EXIT_USAGE;
    } else {
        rn->have_cfg = true;
    }
    ca_config_error_fini(&err);
    ca_free(found);
    return rc;
}

/* User catalogs: the config's, then --catalog's.  Returns -1 to go on or an exit status. */
static int load_catalogs(struct run *rn)
{
    const struct cli *c = rn->c;
    size_t n = rn->cfg.ncatalogs + c->ncatalogs;
    for (size_t i = 0; i < n; i++) {
        const char *path = i < rn->cfg.ncatalogs ? rn->cfg.catalogs[i] : c->catalogs[i - rn->cfg.ncatalogs];
        struct ca_rules_error err;
        enum ca_status st = ca_rules_load_extra(rn->rules, path, &err);
        if (st != CA_OK) {
            print_error(err.file ? err.file : path, err.line, err.col, err.message ? err.message : ca_status_str(st));
            ca_rules_error_fini(&err);
            return EXIT_USAGE;
        }
        ca_rules_error_fini(&err);
    }
    return -1;
}

/* Collect the inputs and keep those the configuration selects.  Returns -1 or an exit status. */
static int collect(struct run *rn)
{
    const struct cli *c = rn->c;
    const char *env = getenv("CONCADVISE_PYTHON_INCLUDE");
    struct ca_inputs_options io;
    struct ca_inputs_error ierr;
    const char **paths = NULL;
    size_t npaths = c->npaths;
    enum ca_status st;
    int rc = -1;

    memset(&io, 0, sizeof io);
    memset(&ierr, 0, sizeof ierr);
    if (c->stdin_filename) { /* the buffer's file is always an input */
        if (!(paths = ca_calloc(npaths + 1, sizeof *paths))) goto nomem;
        memcpy(paths, c->paths, npaths * sizeof *paths);
        paths[npaths++] = c->stdin_filename;
    }
    io.paths = paths ? paths : c->paths;
    io.npaths = npaths;
    io.compdb_dir = c->compdb;
    io.no_discovery = c->no_compdb;
    io.python_include = c->python_include;
    if (!io.python_include && !(env && *env) && rn->cfg.python_include) io.python_include = rn->cfg.python_include;
    io.extra_args = rn->extra;
    io.nextra = rn->nextra;
    st = ca_inputs_collect(&io, &rn->inputs, &ierr);
    ca_free(paths);
    if (st != CA_OK) {
        if (ierr.file && ierr.line) print_error(ierr.file, ierr.line, ierr.col, ierr.message);
        else fprintf(stderr, "concadvise: error: %s\n", ierr.message ? ierr.message : ca_status_str(st));
        ca_inputs_error_fini(&ierr);
        return st == CA_ERR_NOMEM ? EXIT_INPUTS : EXIT_USAGE;
    }
    ca_inputs_error_fini(&ierr);
    if (!rn->inputs.n) {
        fprintf(stderr, "concadvise: no .c files found in the given paths\n");
        return EXIT_INPUTS;
    }
    if (c->stdin_filename) {
        size_t idx;
        if (adopt_stdin_input(&rn->inputs, c->stdin_filename, rn->extra, rn->nextra, &idx) != CA_OK) goto nomem;
    }
    /* the selection is a shallow view: the items stay owned by rn->inputs */
    rn->selected = rn->inputs;
    rn->selected.items = ca_calloc(rn->inputs.n, sizeof *rn->selected.items);
    rn->selected.n = rn->selected.cap = 0;
    if (!rn->selected.items) goto nomem;
    for (size_t i = 0; i < rn->inputs.n; i++)
        if (!rn->have_cfg || ca_config_selects(&rn->cfg, rn->inputs.items[i].display))
            rn->selected.items[rn->selected.n++] = rn->inputs.items[i];
    if (!rn->selected.n && !c->quiet && !c->stdin_filename)
        fprintf(stderr, "concadvise: note: every input is excluded by %s\n", rn->cfg.path);
    return rc;
nomem:
    fprintf(stderr, "concadvise: error: %s\n", ca_status_str(CA_ERR_NOMEM));
    return EXIT_INPUTS;
}

/* Suppressions, severities, fingerprints and the baseline, in that order:
 * 1. "off" rules go first, so that they are neither reported nor counted as suppressed;
 * 2. suppression comments of the analysed files (and of headers that findings point into)
 *    silence what they cover; a suppression of a rule that is off is not reported as unused;
 * 3. unused and invalid suppressions become findings, which the severities apply to as well;
 * 4. sort and fingerprint the final set; write the baseline; leave out what the baseline has. */
static enum ca_status postprocess(struct run *rn)
{
    const struct cli *c = rn->c;
    struct ca_results *r = &rn->res;
    enum ca_status st = CA_OK;

    if (rn->have_cfg) ca_config_apply_severity(&rn->cfg, r, NULL);
    for (uint32_t i = 0; i < r->ninputs && st == CA_OK; i++) {
        const struct ca_input_result *in = &r->inputs[i];
        const struct ca_source *s;
        if (in->state != CA_INPUT_OK || !(s = sources_find(&rn->src, in->file))) continue;
        st = ca_suppress_scan(&rn->sup, s->file, s->text, s->len, true);
    }
    for (uint32_t i = 0; i < r->ndiags && st == CA_OK; i++) {
        const char *f = r->diags[i].file;
        if (!f || sources_find(&rn->src, f)) continue;
        st = sources_add(&rn->src, f, f, NULL, 0);
        if (st == CA_OK) {
            const struct ca_source *s = &rn->src.v[rn->src.n - 1];
            st = ca_suppress_scan(&rn->sup, s->file, s->text, s->len, false);
        }
    }
    if (st != CA_OK) return st;
    ca_suppress_apply(&rn->sup, r, &rn->suppressed);
    if (rn->have_cfg)
        for (size_t j = 0; j < rn->sup.n; j++)
            for (uint32_t k = 0; k < rn->sup.v[j].nrules; k++) {
                int sev;
                if (ca_config_rule_severity(&rn->cfg, rn->sup.v[j].rules[k], &sev) && sev == CA_CONFIG_SEV_OFF)
                    rn->sup.v[j].used[k] += !rn->sup.v[j].used[k];
            }
    if ((st = ca_suppress_report(&rn->sup, rn->rules, r)) != CA_OK) return st;
    if (rn->have_cfg) ca_config_apply_severity(&rn->cfg, r, NULL);
    ca_results_sort(r);
    if ((st = ca_results_fingerprint(r)) != CA_OK) return st;
    if (c->write_baseline) {
        struct ca_buf b;
        ca_buf_init(&b);
        st = ca_baseline_write(r, CA_VERSION, &b);
        if (st == CA_OK && !cli_write_out(c->write_baseline, b.data, b.len)) st = CA_ERR_IO;
        ca_buf_fini(&b);
        if (st != CA_OK) return st;
    }
    if (c->baseline) ca_baseline_apply(&rn->baseline, r, &rn->baselined);
    return CA_OK;
}

/* Colour in the text report: --color, else a terminal without NO_COLOR and not TERM=dumb. */
bool cli_use_color(const struct cli *c)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    return c->color == 1 ||
           (c->color == -1 && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0) && !c->output && isatty(1));
}

static enum ca_status render(struct run *rn, struct ca_buf *out)
{
    const struct cli *c = rn->c;
    struct ca_report_meta meta;
    char *cv = NULL;
    enum ca_status st;

    memset(&meta, 0, sizeof meta);
    meta.tool_version = CA_VERSION;
    meta.suppressed = rn->suppressed;
    meta.baselined = rn->baselined;
    if (c->format != FMT_TEXT) {
        cv = ca_front_clang_version();
        meta.clang_version = cv ? cv : "";
    }
    switch (c->format) {
    case FMT_JSON: st = ca_report_json(&rn->res, &meta, out); break;
    case FMT_SARIF: st = ca_report_sarif(&rn->res, rn->rules, &meta, out); break;
    case FMT_HTML: st = ca_report_html(&rn->res, rn->rules, &meta, rn->src.v, rn->src.n, out); break;
    case FMT_TEXT:
    default: {
        struct ca_text_options to;
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
        memset(&to, 0, sizeof to);
        to.all_loops = c->all;
        to.top = c->top;
        to.suppressed = rn->suppressed;
        to.baselined = rn->baselined;
        (void)nc;
        (void)term;
        to.color = cli_use_color(c);
        st = ca_report_text(&rn->res, &to, out);
    }
    }
    ca_free(cv);
    return st;
}

/* One line on a terminal's stderr when the report went to a file. */
static void print_summary(const struct run *rn, struct ca_buf *err)
{
    struct ca_results_summary s;
    ca_results_summarize(&rn->res, &s);
    ca_buf_printf(err, "concadvise: %s: %u file%s, %u loop%s (%u hot), %u error%s, %u warning%s, %u note%s", rn->c->output,
            s.files, s.files == 1 ? "" : "s", s.loops, s.loops == 1 ? "" : "s", s.hot_loops, s.by_severity[CA_SEV_ERROR],
            s.by_severity[CA_SEV_ERROR] == 1 ? "" : "s", s.by_severity[CA_SEV_WARNING],
            s.by_severity[CA_SEV_WARNING] == 1 ? "" : "s", s.by_severity[CA_SEV_NOTE],
            s.by_severity[CA_SEV_NOTE] == 1 ? "" : "s");
    if (rn->suppressed) ca_buf_printf(err, ", %u suppressed", rn->suppressed);
    if (rn->baselined) ca_buf_printf(err, ", %u in the baseline", rn->baselined);
    ca_buf_putc(err, '\n');
}

/* --profile: weigh loops by the samples of their function (and its callees).  Returns -1 to go
 * on, or an exit status. */
static int apply_profile(struct run *rn)
{
    struct ca_profile *prof = NULL;
    struct ca_profile_error err;
    const char **names = NULL;
    size_t n = 0, total = 0;
    enum ca_status st;
    int rc = -1;
    memset(&err, 0, sizeof err);
    st = ca_profile_load(rn->c->profile, &prof, &err);
    if (st != CA_OK) {
        print_error(err.file ? err.file : rn->c->profile, err.line, 0, err.message ? err.message : ca_status_str(st));
        ca_profile_error_fini(&err);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < rn->ntus; i++) total += rn->tus[i].nfuncs;
    names = ca_calloc(total ? total : 1, sizeof *names);
    if (!names) {
        rc = EXIT_INPUTS;
        goto out;
    }
    for (size_t i = 0; i < rn->ntus; i++)
        for (uint32_t f = 0; f < rn->tus[i].nfuncs; f++) names[n++] = rn->tus[i].funcs[f].name;
    if (ca_profile_apply(prof, names, n, &rn->res) != CA_OK) rc = EXIT_INPUTS;
out:
    ca_free(names);
    ca_profile_free(prof);
    return rc;
}

static void cancel_bench(int sig)
{
    (void)sig;
    ca_bench_cancel(); /* async-signal-safe: kills the measured process group */
}

/* --bench: run the configuration's benchmark cases (this runs the user's code, so only when
 * asked) and attach each result to the loops of its function.  A case without `expect` is checked
 * against the recommendation of that function's hottest loop.  Returns -1 to go on, or an exit
 * status. */
static int run_benchmarks(struct run *rn)
{
    struct ca_bench_cases cs;
    char *text = NULL, *msg = NULL;
    size_t len = 0;
    int rc = -1;
    if (!rn->have_cfg || !rn->cfg.has_bench) {
        fprintf(stderr, "concadvise: error: --bench needs a \"bench\" array of cases in .concadvise.json "
                        "(see docs/bench.md)\n");
        return EXIT_USAGE;
    }
    ca_bench_cases_init(&cs);
    if (ca_file_read(rn->cfg.path, &text, &len) != CA_OK ||
        ca_bench_cases_parse(rn->cfg.path, text, len, &cs, &msg) != CA_OK) {
        fprintf(stderr, "%s\n", msg ? msg : "concadvise: error: cannot read the benchmark cases");
        rc = EXIT_USAGE;
        goto out;
    }
    signal(SIGINT, cancel_bench);
    signal(SIGTERM, cancel_bench);
    for (size_t k = 0; k < cs.ncases && rc < 0; k++) {
        struct ca_bench_case cse = cs.cases[k];
        struct ca_bench_result br;
        struct ca_buf js, line;
        const struct ca_loop_result *hottest = NULL;
        if (!cse.function) continue; /* nothing to attach it to */
        for (uint32_t i = 0; i < rn->res.nloops; i++) {
            const struct ca_loop_result *l = &rn->res.loops[i];
            if (strcmp(l->function, cse.function) == 0 && (!hottest || l->hotness > hottest->hotness)) hottest = l;
        }
        if (!hottest) continue;
        if (cse.expect == CA_BENCH_REC_UNSET) (void)ca_bench_rec_parse(ca_rec_str(hottest->rec), &cse.expect);
        if (!rn->c->quiet) fprintf(stderr, "concadvise: measuring %s (threads against processes)...\n", cse.function);
        ca_bench_result_init(&br);
        ca_buf_init(&js);
        ca_buf_init(&line);
        if (ca_bench_run(&cse, &br) == CA_ERR_NOMEM) rc = EXIT_INPUTS;
        ca_bench_result_json(&br, &js, 6);
        ca_buf_printf(&line, "%s", ca_bench_verdict_str(br.verdict));
        if (br.failure != CA_BENCH_F_NONE && br.failure_message) ca_buf_printf(&line, " (%s)", br.failure_message);
        if (br.agreement != CA_BENCH_A_NOT_ASKED)
            ca_buf_printf(&line, ", %s %s", ca_bench_agreement_str(br.agreement), ca_bench_rec_str(br.expect));
        if (br.verdict_reason) ca_buf_printf(&line, ": %s", br.verdict_reason);
        for (uint32_t i = 0; i < rn->res.nloops && !js.failed && !line.failed; i++) {
            struct ca_loop_result *l = &rn->res.loops[i];
            if (strcmp(l->function, cse.function) != 0) continue;
            l->benchmark_json = ca_arena_strdup(&rn->res.arena, js.data ? js.data : "null");
            l->benchmark_line = ca_arena_strdup(&rn->res.arena, line.data ? line.data : "");
        }
        if (js.failed || line.failed) rc = EXIT_INPUTS;
        ca_buf_fini(&js);
        ca_buf_fini(&line);
        ca_bench_result_fini(&br);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
out:
    ca_bench_cases_fini(&cs);
    ca_free(text);
    ca_free(msg);
    return rc;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The identity written into cache entries and shard files: the front end's sources and
 * libclang's version (facts from another libclang may differ). */
char *cli_tool_id(void)
{
    char *cv = ca_front_clang_version();
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s %s", ca_front_id(), cv ? cv : "");
    ca_free(cv);
    return ca_buf_take(&b);
}

/* The facts cache: --cache DIR, else .concadvise-cache in the current directory, unless
 * --no-cache.  A cache that cannot be used is not an error (the run only gets slower); it is
 * reported when the user named the directory. */
static enum ca_status open_cache(struct run *rn)
{
    const struct cli *c = rn->c;
    char *why = NULL;
    enum ca_status st;
    if (c->no_cache) return CA_OK;
    st = ca_cache_open(c->cache_dir ? c->cache_dir : ".concadvise-cache", rn->tool_id, &rn->cache, &why);
    if (st == CA_ERR_IO) {
        if (c->cache_dir && !c->quiet) fprintf(stderr, "concadvise: warning: no cache: %s\n", why);
        st = CA_OK;
    }
    ca_free(why);
    return st;
}




/* A run that added to the cache, or was given --cache-max-size, keeps it under that size.  Entries used in the last
 * minutes are kept: this run's, and those of other runs that may share the directory. */
#define PRUNE_SPARE_NS (600LL * 1000000000LL)
static void prune_cache(struct run *rn)
{
    struct ca_cache_stats cs;
    if (!rn->cache || !rn->c->cache_max) return;
    ca_cache_stats(rn->cache, &cs);
    if (!cs.stored && !rn->es.pch_built && !rn->c->cache_max_given) return; /* nothing grew */
    if (ca_cache_prune(rn->cache, rn->c->cache_max, rn->started_ns - PRUNE_SPARE_NS, &rn->pruned) != CA_OK)
        memset(&rn->pruned, 0, sizeof rn->pruned);
    rn->prune_ran = true;
}

static void print_stats(const struct run *rn, double t_start, double t_analyze, double t_end)
{
    fprintf(stderr, "concadvise: stats: %zu input%s: %u parsed, %u from the cache", rn->ntus, rn->ntus == 1 ? "" : "s",
            rn->es.parsed, rn->es.cached);
    if (rn->cache) {
        struct ca_cache_stats cs;
        ca_cache_stats(rn->cache, &cs);
        fprintf(stderr, " (%s: %u stored, %u invalidated by a changed header, %u write errors)", ca_cache_dir(rn->cache),
                cs.stored, cs.stale, cs.write_errors);
    } else if (!rn->c->merge) {
        fprintf(stderr, " (no cache)");
    }
    if (rn->es.parsed)
        fprintf(stderr, "; %u parsed with a precompiled preamble (%u built, %u from the cache)", rn->es.pch_parsed,
                rn->es.pch_built, rn->es.pch_loaded);
    fprintf(stderr, "\nconcadvise: stats: parse %.3f s, analysis %.3f s, report %.3f s, total %.3f s\n", rn->es.parse_seconds,
            t_analyze, t_end - t_start - rn->es.parse_seconds - t_analyze, t_end - t_start);
    if (rn->prune_ran)
        fprintf(stderr, "concadvise: stats: cache facts and preambles %.1f MB, limit %.1f MB: %u removed, %.1f MB now\n",
                (double)rn->pruned.bytes_before / 1048576.0, (double)rn->c->cache_max / 1048576.0, rn->pruned.removed,
                (double)rn->pruned.bytes_after / 1048576.0);
}

int cli_run(const struct cli *c)
{
    char rbuf[PATH_MAX + 64];
    const char *rdir = find_rules(c, rbuf, sizeof rbuf);
    struct run rn;
    struct ca_rules_error rerr;
    struct ca_engine_options eo;
    struct ca_buf out;
    enum ca_status st;
    int rc = EXIT_CLEAN;
    double t_start = cli_now(), t_analyze = 0;
    struct ca_buf errtext; /* what the run says on stderr after the report (kept with it) */
    struct ca_hash run_key = {0, 0};
    bool run_cached = false;

    ca_buf_init(&errtext);
    memset(&rn, 0, sizeof rn);
    rn.c = c;
    rn.rules_dir = rdir;
    if (!(rn.tool_id = cli_tool_id())) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(CA_ERR_NOMEM));
        return EXIT_INPUTS;
    }
    rn.started_ns = ca_cache_now_ns();
    ca_config_init(&rn.cfg);
    ca_baseline_init(&rn.baseline);
    ca_results_init(&rn.res);
    ca_suppressions_init(&rn.sup);
    memset(&rerr, 0, sizeof rerr);
    ca_buf_init(&out);

    st = ca_rules_load(rdir, &rn.rules, &rerr);
    if (st != CA_OK) {
        print_error(rerr.file ? rerr.file : rdir, rerr.line, rerr.col, rerr.message ? rerr.message : ca_status_str(st));
        rc = EXIT_USAGE;
        goto out;
    }
    if (c->list_rules) { list_rules(rn.rules); goto out; }
    if (c->explain) { rc = explain(rn.rules, c->explain); goto out; }

    if ((rc = load_config(&rn)) >= 0 || (rc = load_catalogs(&rn)) >= 0) goto out;
    rc = EXIT_CLEAN;
    if (c->baseline) {
        struct ca_baseline_error berr;
        st = ca_baseline_load(c->baseline, &rn.baseline, &berr);
        if (st != CA_OK) {
            print_error(berr.file ? berr.file : c->baseline, berr.line, berr.col,
                        berr.message ? berr.message : ca_status_str(st));
            ca_baseline_error_fini(&berr);
            rc = EXIT_USAGE;
            goto out;
        }
        ca_baseline_error_fini(&berr);
    }
    rn.fail_on = c->fail_on != CA_CONFIG_FAIL_UNSET ? c->fail_on
                 : rn.cfg.fail_on != CA_CONFIG_FAIL_UNSET ? rn.cfg.fail_on : CA_SEV_ERROR;
    if (!(rn.extra = ca_calloc(rn.cfg.nextra + c->nextra + 1, sizeof *rn.extra))) {
        rc = EXIT_INPUTS;
        goto out;
    }
    for (size_t i = 0; i < rn.cfg.nextra; i++) rn.extra[rn.nextra++] = rn.cfg.extra_args[i];
    for (size_t i = 0; i < c->nextra; i++) rn.extra[rn.nextra++] = c->extra[i];
    if (c->have_buffer) {
        if (!(rn.buffer = ca_malloc(c->buffer_len + 1))) {
            rc = EXIT_INPUTS;
            goto out;
        }
        memcpy(rn.buffer, c->buffer, c->buffer_len);
        rn.buffer[c->buffer_len] = '\0';
        rn.buffer_len = c->buffer_len;
    } else if (c->stdin_filename && read_all_stdin(&rn.buffer, &rn.buffer_len) != CA_OK) {
        fprintf(stderr, "concadvise: error: cannot read standard input: %s\n", strerror(errno));
        rc = EXIT_INPUTS;
        goto out;
    }
    if (c->merge) {
        if ((rc = cli_shard_read(&rn)) >= 0) goto out;
        rc = EXIT_CLEAN;
        goto analyze;
    }
    if ((rc = collect(&rn)) >= 0) goto out;
    rc = EXIT_CLEAN;
    if ((st = open_cache(&rn)) != CA_OK) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }

    if (rn.cache && cli_run_cacheable(c)) {
        int replayed;
        if ((st = cli_run_key(&rn, &run_key)) != CA_OK) {
            fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
            rc = EXIT_INPUTS;
            goto out;
        }
        if ((replayed = cli_run_replay(&rn, run_key, t_start)) >= 0) {
            rc = replayed;
            goto out;
        }
        run_cached = true;
    }

    memset(&eo, 0, sizeof eo);
    eo.cache = rn.cache;
    eo.no_pch = c->no_pch;
    eo.tool_id = rn.tool_id;
    eo.jobs = c->jobs;
    if (!c->quiet && !c->dump_facts && !c->stdin_filename && isatty(2) && rn.selected.n > 1) eo.progress = on_progress;
    if (c->stdin_filename) {
        eo.unsaved_path = c->stdin_filename; /* adopt_stdin_input made the input display it */
        eo.unsaved = rn.buffer;
        eo.unsaved_len = rn.buffer_len;
    }
    if (c->shard_n) {
        rc = cli_shard_write(&rn, &eo);
        prune_cache(&rn);
        if (c->stats) print_stats(&rn, t_start, 0, cli_now());
        goto out;
    }
    st = ca_engine_parse(&rn.selected, &eo, &rn.tus, &rn.es);
    rn.ntus = rn.selected.n;
    if (st != CA_OK) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }
    if (c->dump_facts) {
        for (size_t i = 0; i < rn.ntus; i++) ca_facts_dump(stdout, &rn.tus[i]);
        goto out;
    }
analyze:
    t_analyze = cli_now();
    st = ca_engine_analyze(rn.tus, (uint32_t)rn.ntus, rn.rules, &rn.res);
    t_analyze = cli_now() - t_analyze;
    if (st == CA_OK && c->profile && (rc = apply_profile(&rn)) >= 0) goto out;
    if (st == CA_OK && c->bench && (rc = run_benchmarks(&rn)) >= 0) goto out;
    rc = EXIT_CLEAN;
    for (size_t i = 0; st == CA_OK && i < rn.ntus; i++) {
        /* merge: the files are read where the shards found them, relative to the current directory */
        const char *display = c->merge ? rn.tus[i].path : rn.selected.items[i].display;
        const char *path = c->merge ? rn.tus[i].path : rn.selected.items[i].path;
        bool buf = c->stdin_filename && strcmp(display, c->stdin_filename) == 0;
        st = sources_add(&rn.src, display, path, buf ? rn.buffer : NULL, buf ? rn.buffer_len : 0);
    }
    if (st == CA_OK) st = postprocess(&rn);
    for (uint32_t i = 0; st == CA_OK && c->format == FMT_HTML && i < rn.res.nloops; i++) /* loops in headers */
        if (!sources_find(&rn.src, rn.res.loops[i].file))
            st = sources_add(&rn.src, rn.res.loops[i].file, rn.res.loops[i].file, NULL, 0);
    if (st == CA_OK) st = render(&rn, &out);
    if (st != CA_OK || !cli_emit(c, out.data ? out.data : "", out.len)) {
        if (st != CA_OK && st != CA_ERR_IO) fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }
    if (c->output && !c->quiet && isatty(2)) print_summary(&rn, &errtext);
    {
        bool failed_inputs = false, findings = false;
        for (uint32_t i = 0; i < rn.res.ninputs; i++)
            if (rn.res.inputs[i].state != CA_INPUT_OK) failed_inputs = true;
        for (uint32_t i = 0; i < rn.res.ndiags; i++)
            if (rn.fail_on <= CA_SEV_ERROR && (int)rn.res.diags[i].severity >= rn.fail_on) findings = true;
        if (c->write_baseline) findings = false; /* writing a baseline accepts the findings */
        if (failed_inputs && !rn.inputs.python_include)
            for (uint32_t i = 0; i < rn.res.ninputs; i++)
                for (uint32_t e = 0; e < rn.res.inputs[i].nerrors; e++)
                    if (strstr(rn.res.inputs[i].errors[e].message, "Python.h")) {
                        ca_buf_puts(&errtext, "concadvise: hint: Python.h was not found: install python3-dev or pass "
                                              "--python-include DIR\n");
                        i = rn.res.ninputs;
                        break;
                    }
        rc = failed_inputs ? EXIT_INPUTS : findings ? EXIT_FINDINGS : EXIT_CLEAN;
    }
    if (errtext.len) fputs(errtext.data, stderr);
    prune_cache(&rn);
    if (c->stats) print_stats(&rn, t_start, t_analyze, cli_now());
    if (run_cached) cli_run_store(&rn, run_key, rc, &errtext, &out);
out:
    if (rn.tus)
        for (size_t i = 0; i < rn.ntus; i++) ca_facts_fini(&rn.tus[i]);
    ca_free(rn.tus);
    ca_cache_free(rn.cache);
    ca_free(rn.tool_id);
    ca_buf_fini(&out);
    ca_buf_fini(&errtext);
    sources_fini(&rn.src);
    ca_suppressions_fini(&rn.sup);
    ca_results_fini(&rn.res);
    ca_free(rn.selected.items);
    ca_input_list_fini(&rn.inputs);
    ca_free(rn.extra);
    ca_free(rn.buffer);
    ca_baseline_fini(&rn.baseline);
    ca_config_fini(&rn.cfg);
    ca_rules_error_fini(&rerr);
    ca_rules_free(rn.rules);
    return rc;
}


int main(int argc, char **argv)
{
    struct cli c;
    int rc;
    if (argc > 1 && strcmp(argv[1], "bench") == 0) return ca_bench_main(argc - 1, argv + 1); /* docs/bench.md */
    if (argc > 1 && strcmp(argv[1], "merge") == 0) { /* docs/scaling.md */
        rc = parse_args(argc - 1, argv + 1, &c, true, false);
    } else if (argc > 1 && strcmp(argv[1], "serve") == 0) { /* docs/editors.md */
        rc = parse_args(argc - 1, argv + 1, &c, false, true);
        if (rc < 0) rc = cli_serve(&c);
        cli_fini(&c);
        return rc;
    } else {
        rc = parse_args(argc, argv, &c, false, false);
    }
    if (rc < 0) rc = cli_run(&c);
    cli_fini(&c);
    return rc;
}
