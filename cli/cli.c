/* cli.c: argv -> an immutable configuration -> the pipeline -> a report and an exit status.
 * The only code that prints to the terminal or exits.
 * Exit status: 0 nothing at or above --fail-on; 1 something is; 2 usage or configuration error;
 * 3 some inputs could not be analysed (takes precedence over 1). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "front.h"
#include "report.h"

#ifndef CA_VERSION
#define CA_VERSION "0.0.0"
#endif

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INPUTS = 3 };

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

struct config {
    enum { FMT_TEXT, FMT_JSON } format;
    const char *output;
    bool all, quiet, list_rules, dump_facts;
    uint32_t top;
    unsigned jobs;
    const char *compdb, *python_include, *rules_dir, *explain;
    bool no_compdb;
    int fail_on; /* severity index, or 3 = never */
    int color;   /* -1 auto, 0 never, 1 always */
    const char **extra; size_t nextra;
    const char **paths; size_t npaths;
};

static void usage_hint(const char *msg)
{
    fprintf(stderr, "concadvise: %s\nTry 'concadvise --help' for more information.\n", msg);
}

static void print_help(void)
{
    printf("Usage: concadvise [OPTION]... PATH...\n"
           "Find the hot loops of C and CPython-extension sources, classify them as I/O- or CPU-bound,\n"
           "work out whether the GIL is held, and recommend threading, multiprocessing or releasing the GIL.\n\n"
           "PATHs are .c files or directories (searched recursively). Compile flags come from\n"
           "compile_commands.json when one is found (or given with -p); otherwise they are synthesised.\n\n"
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
           "  0  no diagnostic at or above --fail-on\n"
           "  1  some diagnostic at or above --fail-on\n"
           "  2  usage or configuration error\n"
           "  3  some inputs could not be analysed (missing or not parsable)\n\n"
           "Documentation: docs/ (JSON output: docs/json-output.md; rules: --list-rules, --explain ID)\n");
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

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct config *c)
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
    c->fail_on = CA_SEV_ERROR;
    c->color = -1;
    c->extra = calloc((size_t)argc + 1, sizeof *c->extra);
    if (!c->extra) return EXIT_USAGE;
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
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) c->format = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0) c->format = FMT_JSON;
            else { snprintf(msg, sizeof msg, "unknown format '%s' (text or json)", optarg); usage_hint(msg); return EXIT_USAGE; }
            break;
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
        case OPT_FAIL_ON: {
            enum ca_severity s;
            if (strcmp(optarg, "never") == 0 || strcmp(optarg, "none") == 0) c->fail_on = 3;
            else if (ca_severity_parse(optarg, &s)) c->fail_on = (int)s;
            else { snprintf(msg, sizeof msg, "unknown severity '%s' (error, warning, note, never)", optarg); usage_hint(msg); return EXIT_USAGE; }
            break;
        }
        case OPT_RULES: c->rules_dir = optarg; break;
        case OPT_LIST_RULES: c->list_rules = true; break;
        case OPT_EXPLAIN: c->explain = optarg; break;
        case OPT_DUMP_FACTS: c->dump_facts = true; break;
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
    if (!c->npaths && !c->compdb && !c->list_rules && !c->explain) {
        usage_hint("no input: name files or directories, or a compile database with -p");
        return EXIT_USAGE;
    }
    return -1;
}

/* The rules directory: --rules, $CONCADVISE_RULES, next to the installed binary, the install
 * prefix, then the source tree the binary was built from. */
static const char *find_rules(const struct config *c, char *buf, size_t n)
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
        printf("%-26s %-8s %s\n", m->id, m->severity, m->title);
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

struct progress {
    bool on;
};

static void on_progress(void *ctx, size_t done, size_t total, const char *file)
{
    (void)ctx;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total, file);
    if (done == total) fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

static int write_out(const char *path, const char *data, size_t len)
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

static int run(const struct config *c)
{
    char rbuf[PATH_MAX + 64];
    const char *rdir = find_rules(c, rbuf, sizeof rbuf);
    struct ca_rules *rules = NULL;
    struct ca_rules_error rerr;
    struct ca_inputs_options io;
    struct ca_input_list inputs;
    struct ca_inputs_error ierr;
    struct ca_engine_options eo;
    struct ca_tu_facts *tus = NULL;
    struct ca_results res;
    struct ca_buf out;
    enum ca_status st;
    int rc = EXIT_CLEAN;

    memset(&rerr, 0, sizeof rerr);
    memset(&inputs, 0, sizeof inputs);
    memset(&ierr, 0, sizeof ierr);
    ca_results_init(&res);
    ca_buf_init(&out);
    st = ca_rules_load(rdir, &rules, &rerr);
    if (st != CA_OK) {
        if (rerr.line)
            fprintf(stderr, "%s:%u:%u: error: %s\n", rerr.file ? rerr.file : rdir, rerr.line, rerr.col,
                    rerr.message ? rerr.message : ca_status_str(st));
        else
            fprintf(stderr, "%s: error: %s\n", rerr.file ? rerr.file : rdir, rerr.message ? rerr.message : ca_status_str(st));
        rc = EXIT_USAGE;
        goto out;
    }
    if (c->list_rules) { list_rules(rules); goto out; }
    if (c->explain) { rc = explain(rules, c->explain); goto out; }

    memset(&io, 0, sizeof io);
    io.paths = c->paths;
    io.npaths = c->npaths;
    io.compdb_dir = c->compdb;
    io.no_discovery = c->no_compdb;
    io.python_include = c->python_include;
    io.extra_args = c->extra;
    io.nextra = c->nextra;
    st = ca_inputs_collect(&io, &inputs, &ierr);
    if (st != CA_OK) {
        if (ierr.file && ierr.line)
            fprintf(stderr, "%s:%u:%u: error: %s\n", ierr.file, ierr.line, ierr.col, ierr.message ? ierr.message : "");
        else
            fprintf(stderr, "concadvise: error: %s\n", ierr.message ? ierr.message : ca_status_str(st));
        rc = st == CA_ERR_NOMEM ? EXIT_INPUTS : EXIT_USAGE;
        goto out;
    }
    if (!inputs.n) {
        fprintf(stderr, "concadvise: no .c files found in the given paths\n");
        rc = EXIT_INPUTS;
        goto out;
    }
    memset(&eo, 0, sizeof eo);
    eo.jobs = c->jobs;
    if (!c->quiet && !c->dump_facts && isatty(2) && inputs.n > 1) eo.progress = on_progress;
    st = ca_engine_parse(&inputs, &eo, &tus);
    if (st != CA_OK) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }
    if (c->dump_facts) {
        for (size_t i = 0; i < inputs.n; i++) ca_facts_dump(stdout, &tus[i]);
        goto out;
    }
    st = ca_engine_analyze(tus, (uint32_t)inputs.n, rules, &res);
    if (st != CA_OK) {
        fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }
    if (c->format == FMT_JSON) {
        struct ca_report_meta meta;
        char *cv = ca_front_clang_version();
        memset(&meta, 0, sizeof meta);
        meta.tool_version = CA_VERSION;
        meta.clang_version = cv ? cv : "";
        st = ca_report_json(&res, &meta, &out);
        ca_free(cv);
    } else {
        struct ca_text_options to;
        const char *nc = getenv("NO_COLOR");
        memset(&to, 0, sizeof to);
        to.all_loops = c->all;
        to.top = c->top;
        to.color = c->color == 1 || (c->color == -1 && !(nc && *nc) && !c->output && isatty(1));
        st = ca_report_text(&res, &to, &out);
    }
    if (st != CA_OK || !write_out(c->output, out.data ? out.data : "", out.len)) {
        if (st != CA_OK) fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
        rc = EXIT_INPUTS;
        goto out;
    }
    {
        bool failed_inputs = false, findings = false;
        for (uint32_t i = 0; i < res.ninputs; i++)
            if (res.inputs[i].state != CA_INPUT_OK) failed_inputs = true;
        for (uint32_t i = 0; i < res.ndiags; i++)
            if (c->fail_on <= 2 && (int)res.diags[i].severity >= c->fail_on) findings = true;
        if (failed_inputs && !inputs.python_include)
            for (uint32_t i = 0; i < res.ninputs; i++)
                for (uint32_t e = 0; e < res.inputs[i].nerrors; e++)
                    if (strstr(res.inputs[i].errors[e].message, "Python.h")) {
                        fprintf(stderr, "concadvise: hint: Python.h was not found: install python3-dev or pass "
                                        "--python-include DIR\n");
                        i = res.ninputs;
                        break;
                    }
        rc = failed_inputs ? EXIT_INPUTS : findings ? EXIT_FINDINGS : EXIT_CLEAN;
    }
out:
    if (tus)
        for (size_t i = 0; i < inputs.n; i++) ca_facts_fini(&tus[i]);
    ca_free(tus);
    ca_buf_fini(&out);
    ca_results_fini(&res);
    ca_input_list_fini(&inputs);
    ca_inputs_error_fini(&ierr);
    ca_rules_error_fini(&rerr);
    ca_rules_free(rules);
    return rc;
}

int main(int argc, char **argv)
{
    struct config c;
    int rc = parse_args(argc, argv, &c);
    if (rc < 0) rc = run(&c);
    free(c.extra);
    return rc;
}
