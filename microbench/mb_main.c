/* mb_main.c: `concadvise bench`: its options (mb_options.h, one table for getopt_long and
 * --help), the cases to run (from the options or a case file), the report, the exit status.
 * The only file of microbench that prints; it installs signal handlers for the duration of the
 * run so that Ctrl-C kills the measured children (they sit in their own process groups and do
 * not get the terminal's signal) and removes the temporary builds.
 * Exit status: 0 measured, 1 a verdict contradicts --expect, 2 usage or configuration error,
 * 3 a case could not be measured, 130 interrupted. */
#include "mb_int.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ca_json.h"

enum { EXIT_MEASURED = 0, EXIT_CONTRADICTS = 1, EXIT_USAGE = 2, EXIT_FAILED = 3, EXIT_INTERRUPTED = 130 };

enum opt_id {
#define MB_OPT(id, s, l, a, m, h) OPT_##id,
#include "mb_options.h"
#undef MB_OPT
    OPT_COUNT
};

struct opt_def {
    int shortname;
    const char *name;
    int has_arg;
    const char *metavar, *help;
};

static const struct opt_def opts[OPT_COUNT] = {
#define MB_OPT(id, s, l, a, m, h) {s, l, a, m, h},
#include "mb_options.h"
#undef MB_OPT
};

void mb_help(FILE *f)
{
    fprintf(f, "Usage: concadvise bench --source FILE.c --call EXPR [OPTION]...\n"
               "       concadvise bench --module NAME --call EXPR [OPTION]...\n"
               "       concadvise bench --cases FILE [OPTION]...\n"
               "Measure a call serially, in N threads and in N processes, and say whether threads or\n"
               "processes win: a check of the static recommendation.  THIS RUNS THE CODE: the extension\n"
               "or the C file is built in a temporary directory and executed.\n\n"
               "Options:\n");
    for (int i = 0; i < OPT_COUNT; i++) {
        char left[64];
        if (opts[i].shortname)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].shortname, opts[i].name, opts[i].has_arg ? " " : "",
                     opts[i].has_arg ? opts[i].metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].has_arg ? " " : "",
                     opts[i].has_arg ? opts[i].metavar : "");
        fprintf(f, "  %-28s %s\n", left, opts[i].help);
    }
    fprintf(f, "\nVerdict: threading (threads >= %.1fx and not beaten by processes), multiprocessing\n"
               "(processes >= %.1fx, threads < %.1fx), tie (neither reaches %.1fx), or inconclusive\n"
               "(spreads overlap, between thresholds, one core, or a busy machine).\n\n"
               "Exit status:\n"
               "  0  measured (the verdict confirms --expect, is inconclusive, or nothing was expected)\n"
               "  1  a verdict contradicts --expect\n"
               "  2  usage or configuration error\n"
               "  3  a case could not be measured (build failure, crash, exception, timeout)\n"
               "  130  interrupted\n\n"
               "Documentation: docs/bench.md\n",
            CA_BENCH_WIN, CA_BENCH_WIN, CA_BENCH_FLAT, CA_BENCH_FLAT);
}

static bool parse_num(const char *s, double lo, double hi, bool whole, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi) || (whole && v != (double)(long long)v)) return false;
    *out = v;
    return true;
}

void mb_opts_fini(struct mb_opts *o)
{
    if (!o) return;
    free(o->only);
    free(o->cc_args);
    o->only = o->cc_args = NULL;
}

enum mb_parse mb_opts_parse(int argc, char **argv, struct mb_opts *o, char *err, size_t nerr)
{
    struct option lo[OPT_COUNT + 1];
    char shorts[2 * OPT_COUNT + 2];
    size_t ns = 0;
    int ch, idx;
    double v;

    memset(o, 0, sizeof *o);
    memset(lo, 0, sizeof lo);
    err[0] = '\0';
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
    /* argv-sized arrays: each repeatable option takes at most one slot per argument */
    o->only = calloc((size_t)argc + 1, sizeof *o->only);
    o->cc_args = calloc((size_t)argc + 1, sizeof *o->cc_args);
    if (!o->only || !o->cc_args) {
        snprintf(err, nerr, "out of memory");
        return MB_PARSE_USAGE;
    }
    o->c.cc_args = o->cc_args;
    opterr = 0;
    optind = 0; /* glibc: start over (the parser may run more than once in a process) */
    while ((ch = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
        int id = -1;
        if (ch == '?' || ch == ':') {
            snprintf(err, nerr, ch == ':' ? "option '%s' needs an argument" : "unknown option '%s'", argv[optind - 1]);
            return MB_PARSE_USAGE;
        }
        if (ch >= 256) id = ch - 256;
        else
            for (int i = 0; i < OPT_COUNT; i++)
                if (opts[i].shortname == ch) id = i;
        switch (id) {
        case OPT_SOURCE: o->c.source = optarg; break;
        case OPT_MODULE: o->c.module = optarg; break;
        case OPT_CALL: o->c.call = optarg; break;
        case OPT_SETUP: o->c.setup = optarg; break;
        case OPT_FUNCTION: o->c.function = optarg; break;
        case OPT_EXPECT:
            if (!ca_bench_rec_parse(optarg, &o->c.expect)) {
                snprintf(err, nerr, "unknown recommendation '%s' (threading, multiprocessing, release-gil, none)", optarg);
                return MB_PARSE_USAGE;
            }
            break;
        case OPT_THREADS:
            if (!parse_num(optarg, 1, MB_MAX_WORKERS, true, &v)) {
                snprintf(err, nerr, "--threads needs a number from 1 to %d", MB_MAX_WORKERS);
                return MB_PARSE_USAGE;
            }
            o->c.workers = (unsigned)v;
            o->given_threads = true;
            break;
        case OPT_CALLS:
            if (!parse_num(optarg, 1, 1e12, true, &v)) {
                snprintf(err, nerr, "--calls needs a positive whole number");
                return MB_PARSE_USAGE;
            }
            o->c.calls = (long)v;
            o->given_calls = true;
            break;
        case OPT_REPEAT:
            if (!parse_num(optarg, 1, MB_MAX_REPEAT, true, &v)) {
                snprintf(err, nerr, "--repeat needs a number from 1 to %d", MB_MAX_REPEAT);
                return MB_PARSE_USAGE;
            }
            o->c.repeat = (unsigned)v;
            o->given_repeat = true;
            break;
        case OPT_TIMEOUT:
            if (!parse_num(optarg, 0.001, 86400, false, &v)) {
                snprintf(err, nerr, "--timeout needs a number of seconds (up to 86400)");
                return MB_PARSE_USAGE;
            }
            o->c.timeout = v;
            o->given_timeout = true;
            break;
        case OPT_START_METHOD:
            if (strcmp(optarg, "fork") != 0 && strcmp(optarg, "spawn") != 0 && strcmp(optarg, "forkserver") != 0) {
                snprintf(err, nerr, "--start-method takes fork, spawn or forkserver");
                return MB_PARSE_USAGE;
            }
            o->c.start_method = optarg;
            break;
        case OPT_PYTHON: o->c.python = optarg; break;
        case OPT_CC: o->c.cc = optarg; break;
        case OPT_CC_ARG: o->cc_args[o->c.ncc_args++] = optarg; break;
        case OPT_CASES: o->cases_path = optarg; break;
        case OPT_CASE: o->only[o->nonly++] = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0) o->json = true;
            else if (strcmp(optarg, "text") == 0) o->json = false;
            else {
                snprintf(err, nerr, "unknown format '%s' (text or json)", optarg);
                return MB_PARSE_USAGE;
            }
            break;
        case OPT_OUTPUT: o->output = optarg; break;
        case OPT_KEEP_TEMP: o->c.keep_temp = true; break;
        case OPT_QUIET: o->quiet = true; break;
        case OPT_HELP: return MB_PARSE_HELP;
        default: snprintf(err, nerr, "internal option error"); return MB_PARSE_USAGE;
        }
    }
    if (optind < argc) {
        snprintf(err, nerr, "unexpected argument '%s'", argv[optind]);
        return MB_PARSE_USAGE;
    }
    if (o->cases_path) {
        if (o->c.source || o->c.module || o->c.call || o->c.setup || o->c.function) {
            snprintf(err, nerr, "--cases does not mix with --source, --module, --call, --setup or --function");
            return MB_PARSE_USAGE;
        }
    } else {
        char *why = NULL;
        if (o->nonly) {
            snprintf(err, nerr, "--case needs --cases");
            return MB_PARSE_USAGE;
        }
        if (ca_bench_case_check(&o->c, &why) != CA_OK) {
            snprintf(err, nerr, "%s", why ? why : "out of memory");
            ca_free(why);
            return MB_PARSE_USAGE;
        }
    }
    return MB_PARSE_RUN;
}

/* ---- running */

static void on_signal(int sig)
{
    (void)sig;
    ca_bench_cancel();
}

/* A case from the file with the command line's explicit settings on top. */
static struct ca_bench_case merged(const struct ca_bench_case *file, const struct mb_opts *o)
{
    struct ca_bench_case c = *file;
    if (o->given_threads) c.workers = o->c.workers;
    if (o->given_calls) c.calls = o->c.calls;
    if (o->given_repeat) c.repeat = o->c.repeat;
    if (o->given_timeout) c.timeout = o->c.timeout;
    if (o->c.expect != CA_BENCH_REC_UNSET) c.expect = o->c.expect;
    if (o->c.start_method) c.start_method = o->c.start_method;
    if (o->c.python) c.python = o->c.python;
    if (o->c.cc) c.cc = o->c.cc;
    if (o->c.ncc_args) {
        c.cc_args = o->c.cc_args;
        c.ncc_args = o->c.ncc_args;
    }
    c.keep_temp = o->c.keep_temp;
    return c;
}

static bool selected(const struct mb_opts *o, const struct ca_bench_case *c)
{
    if (!o->nonly) return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (c->name && strcmp(c->name, o->only[i]) == 0) return true;
    return false;
}

static const char honesty[] =
    "Each figure is the median of the runs, with their minimum and maximum.  Timings on a loaded machine are "
    "noisy: another process on the same cores can halve a measured speedup, so a busy machine gives an "
    "inconclusive verdict rather than a wrong one.  See docs/bench.md.";

static void report(const struct mb_opts *o, const struct ca_bench_result *rs, size_t n, struct ca_buf *b)
{
    if (o->json) {
        ca_buf_puts(b, "{\n  \"schema_version\": 1,\n  \"tool\": \"concadvise bench\",\n  \"note\": ");
        ca_json_put_str(b, honesty);
        ca_buf_puts(b, ",\n  \"benchmarks\": [");
        for (size_t i = 0; i < n; i++) {
            ca_buf_puts(b, i ? ",\n    " : "\n    ");
            ca_bench_result_json(&rs[i], b, 4);
        }
        ca_buf_puts(b, n ? "\n  ]\n}\n" : "]\n}\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) ca_buf_putc(b, '\n');
        ca_bench_result_text(&rs[i], b);
    }
    ca_buf_printf(b, "\n%s\n", honesty);
}

static int write_report(const struct mb_opts *o, const char *text, size_t len)
{
    FILE *f = o->output ? fopen(o->output, "w") : stdout;
    bool bad;
    if (!f) {
        fprintf(stderr, "concadvise bench: cannot write %s: %s\n", o->output, strerror(errno));
        return EXIT_USAGE;
    }
    bad = fwrite(text, 1, len, f) != len;
    bad |= (o->output ? fclose(f) : fflush(f)) != 0;
    if (bad) {
        fprintf(stderr, "concadvise bench: cannot write %s\n", o->output ? o->output : "standard output");
        return EXIT_USAGE;
    }
    return EXIT_MEASURED;
}

int ca_bench_main(int argc, char **argv)
{
    struct mb_opts o;
    struct ca_bench_cases cs;
    struct ca_bench_result *rs = NULL;
    struct sigaction sa, old[3];
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    char err[512];
    size_t n = 0, nrun = 0;
    int rc = EXIT_MEASURED;
    bool progress;
    struct ca_buf out;

    ca_bench_cases_init(&cs);
    ca_buf_init(&out);
    switch (mb_opts_parse(argc, argv, &o, err, sizeof err)) {
    case MB_PARSE_HELP:
        mb_help(stdout);
        mb_opts_fini(&o);
        return fflush(stdout) == 0 ? EXIT_MEASURED : EXIT_USAGE;
    case MB_PARSE_USAGE:
        fprintf(stderr, "concadvise bench: %s\nTry 'concadvise bench --help' for more information.\n", err);
        mb_opts_fini(&o);
        return EXIT_USAGE;
    case MB_PARSE_RUN: break;
    }
    if (o.cases_path) {
        char *msg = NULL;
        enum ca_status st = ca_bench_cases_load(o.cases_path, &cs, &msg);
        if (st != CA_OK) {
            fprintf(stderr, "concadvise bench: %s\n", msg ? msg : ca_status_str(st));
            ca_free(msg);
            rc = EXIT_USAGE;
            goto out;
        }
        for (size_t i = 0; i < o.nonly; i++) {
            bool found = false;
            for (size_t j = 0; j < cs.ncases; j++) found |= cs.cases[j].name && strcmp(cs.cases[j].name, o.only[i]) == 0;
            if (!found) {
                fprintf(stderr, "concadvise bench: no case named '%s' in %s\n", o.only[i], o.cases_path);
                rc = EXIT_USAGE;
                goto out;
            }
        }
        n = cs.ncases;
    } else {
        n = 1;
    }
    rs = calloc(n ? n : 1, sizeof *rs);
    if (!rs) {
        fprintf(stderr, "concadvise bench: out of memory\n");
        rc = EXIT_USAGE;
        goto out;
    }

    /* Ctrl-C: kill the children's process groups and clean up, then stop.  As a child
     * subreaper this process also reaps what the children leave behind when killed. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    progress = !o.quiet && isatty(2);

    for (size_t i = 0; i < n && !mb_cancelled; i++) {
        struct ca_bench_case c = o.cases_path ? merged(&cs.cases[i], &o) : o.c;
        enum ca_status st;
        if (o.cases_path && !selected(&o, &cs.cases[i])) continue;
        ca_bench_result_init(&rs[nrun]);
        if (progress) fprintf(stderr, "bench: %s ...\n", c.name ? c.name : c.source ? c.source : c.module);
        st = ca_bench_run(&c, &rs[nrun]);
        nrun++;
        if (st != CA_OK) {
            fprintf(stderr, "concadvise bench: %s: %s\n", rs[nrun - 1].name ? rs[nrun - 1].name : "case",
                    rs[nrun - 1].failure_message ? rs[nrun - 1].failure_message : ca_status_str(st));
            rc = st == CA_ERR_USAGE ? EXIT_USAGE : EXIT_FAILED;
            break;
        }
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);

    if (rc == EXIT_MEASURED) {
        for (size_t i = 0; i < nrun; i++) {
            if (rs[i].failure != CA_BENCH_F_NONE) rc = EXIT_FAILED;
            else if (rs[i].agreement == CA_BENCH_A_CONTRADICTS && rc == EXIT_MEASURED) rc = EXIT_CONTRADICTS;
        }
        report(&o, rs, nrun, &out);
        if (out.failed) {
            fprintf(stderr, "concadvise bench: out of memory\n");
            rc = EXIT_USAGE;
        } else if (write_report(&o, out.data ? out.data : "", out.len) != EXIT_MEASURED) {
            rc = EXIT_USAGE;
        }
    }
    if (mb_cancelled) rc = EXIT_INTERRUPTED;
out:
    for (size_t i = 0; i < nrun; i++) ca_bench_result_fini(&rs[i]);
    free(rs);
    ca_buf_fini(&out);
    ca_bench_cases_fini(&cs);
    mb_opts_fini(&o);
    return rc;
}
