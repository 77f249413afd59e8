/* mb_run.c: one benchmark case from start to verdict: check the case, make a temporary
 * directory, ask the interpreter for its build settings, build the extension or the C harness,
 * run the driver or the harness as a child under the time limit while watching the machine,
 * read the result file (the protocol, docs/bench.md), judge, and remove the directory.
 * It never runs anything the case did not ask for, and a failure of the measured code (build,
 * crash, exception, timeout) ends up in the result, not in the return status. */
#include "mb_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ca_json.h"

#define PHASE_MARK "concadvise-bench: phase "
#define TAIL_LINES 12

void ca_bench_result_init(struct ca_bench_result *r)
{
    memset(r, 0, sizeof *r);
    ca_arena_init(&r->arena);
    r->speedup_threads = r->speedup_procs = NAN;
    r->thread_startup = r->proc_startup = NAN;
    r->call_wall = r->call_cpu = r->gil_share = NAN;
    r->machine.load_before = r->machine.load_after = NAN;
    r->machine.psi_before = r->machine.psi_after = NAN;
    r->machine.psi_during = r->machine.other_cores = NAN;
    r->machine.capacity = r->machine.capacity_before = r->machine.capacity_after = NAN;
    r->machine.quota = NAN;
    r->win = r->flat = NAN;
    r->s_serial.min = r->s_serial.median = r->s_serial.max = NAN;
    r->s_threads = r->s_procs = r->s_serial;
    r->verdict = CA_BENCH_V_INCONCLUSIVE;
}

void ca_bench_result_fini(struct ca_bench_result *r)
{
    if (!r) return;
    ca_arena_fini(&r->arena);
    memset(r, 0, sizeof *r);
}

static bool is_start_method(const char *s)
{
    return strcmp(s, "fork") == 0 || strcmp(s, "spawn") == 0 || strcmp(s, "forkserver") == 0;
}

enum ca_status ca_bench_case_check(const struct ca_bench_case *c, char **msg)
{
    const char *why = NULL;
    *msg = NULL;
    if (!c->call || !*c->call) why = "no call: say what one call is (--call)";
    else if (!c->source == !c->module) why = "name exactly one of a source file (--source) and a module (--module)";
    else if (c->module && !mb_valid_module(c->module)) why = "the module name must be a dotted Python name";
    else if (c->source && strchr(c->source, '\n')) why = "the source path contains a newline";
    else if (c->workers > MB_MAX_WORKERS) why = "too many workers (at most 256)";
    else if (c->repeat > MB_MAX_REPEAT) why = "too many repeats (at most 50)";
    else if (c->calls < 0) why = "the number of calls cannot be negative";
    else if (!(c->timeout >= 0) || c->timeout > 86400) why = "the timeout must be between 0 and 86400 seconds";
    else if (c->start_method && !is_start_method(c->start_method))
        why = "the start method must be fork, spawn or forkserver";
    else if ((unsigned)c->expect > CA_BENCH_REC_NONE) why = "unknown expected recommendation";
    if (!why) return CA_OK;
    *msg = ca_strdup(why);
    return *msg ? CA_ERR_USAGE : CA_ERR_NOMEM;
}

/* ---- small helpers */

static char *path_join(struct ca_arena *a, const char *dir, const char *name)
{
    return ca_arena_printf(a, "%s/%s", dir, name);
}

/* The last "phase" line the child printed, or NULL. */
static const char *last_phase(struct ca_arena *a, const char *err)
{
    const char *p = err, *hit = NULL, *e;
    while (p && (p = strstr(p, PHASE_MARK)) != NULL) {
        hit = p + strlen(PHASE_MARK);
        p = hit;
    }
    if (!hit) return NULL;
    e = strchr(hit, '\n');
    return ca_arena_strndup(a, hit, e ? (size_t)(e - hit) : strlen(hit));
}

/* The last TAIL_LINES lines of a child's standard error, without our phase lines. */
static void put_tail(struct ca_buf *b, const char *err)
{
    const char *lines[TAIL_LINES];
    size_t lens[TAIL_LINES], n = 0;
    const char *p = err;
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && strncmp(p, PHASE_MARK, strlen(PHASE_MARK)) != 0) {
            if (n == TAIL_LINES) {
                memmove(lines, lines + 1, (TAIL_LINES - 1) * sizeof *lines);
                memmove(lens, lens + 1, (TAIL_LINES - 1) * sizeof *lens);
                n--;
            }
            lines[n] = p;
            lens[n++] = len;
        }
        p = e ? e + 1 : NULL;
    }
    for (size_t i = 0; i < n; i++) {
        ca_buf_puts(b, "\n| ");
        ca_buf_putn(b, lines[i], lens[i]);
    }
}

static const char *fail_msg(struct ca_bench_result *r, enum ca_bench_failure f, const struct mb_child *ch,
                            const char *fmt, ...) CA_PRINTF(4, 5);
/* Record failure f with a message and, when there is a child, the tail of what it said. */
static const char *fail_msg(struct ca_bench_result *r, enum ca_bench_failure f, const struct mb_child *ch,
                            const char *fmt, ...)
{
    struct ca_buf b;
    va_list ap;
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (ch && ch->err) put_tail(&b, ch->err);
    r->failure = f;
    r->failure_message = b.failed ? "(out of memory)" : ca_arena_strdup(&r->arena, b.data);
    if (!r->failure_message) r->failure_message = "(out of memory)";
    ca_buf_fini(&b);
    return r->failure_message;
}

/* What happened to a child that was not supposed to fail: true when it exited with status 0. */
static bool child_ok(struct ca_bench_result *r, const struct mb_child *ch, const char *what, double timeout,
                     enum ca_bench_failure on_error)
{
    const char *ph = last_phase(&r->arena, ch->err);
    switch (ch->how) {
    case MB_CHILD_EXITED:
        if (ch->code == 0) return true;
        fail_msg(r, on_error, ch, "%s exited with status %d%s%s", what, ch->code, ph ? " during " : "", ph ? ph : "");
        return false;
    case MB_CHILD_SIGNALED:
        fail_msg(r, CA_BENCH_F_CRASH, ch, "%s was killed by signal %d (%s)%s%s", what, ch->code, strsignal(ch->code),
                 ph ? " during " : "", ph ? ph : "");
        return false;
    case MB_CHILD_TIMEOUT:
        fail_msg(r, CA_BENCH_F_TIMEOUT, ch, "%s did not finish within %g s%s%s; its process group was killed", what,
                 timeout, ph ? ", last phase: " : "", ph ? ph : "");
        return false;
    case MB_CHILD_CANCELLED:
        fail_msg(r, CA_BENCH_F_CANCELLED, NULL, "interrupted; the process group of %s was killed", what);
        return false;
    case MB_CHILD_EXEC_FAILED:
        fail_msg(r, CA_BENCH_F_START, NULL, "cannot run %s: %s", what, strerror(ch->code));
        return false;
    }
    return false;
}

/* Run argv, recording a failure in r unless it exits with 0.  *ch is the caller's. */
static enum ca_status run_step(struct ca_bench_result *r, const char *const *argv, double timeout, const char *what,
                               enum ca_bench_failure on_error, struct mb_child *ch, bool *ok)
{
    enum ca_status st = mb_child_run(argv, timeout, ch);
    *ok = st == CA_OK && child_ok(r, ch, what, timeout, on_error);
    return st;
}

/* ---- the protocol */

static const struct ca_json *member(const struct ca_json *o, const char *key, enum ca_json_type t)
{
    const struct ca_json *v = ca_json_find(o, key);
    return v && v->type == t ? v : NULL;
}

static double num(const struct ca_json *o, const char *key)
{
    const struct ca_json *v = member(o, key, CA_JSON_NUM);
    return v ? v->num : NAN;
}

static const char *str(struct ca_arena *a, const struct ca_json *o, const char *key)
{
    const struct ca_json *v = member(o, key, CA_JSON_STR);
    return v ? ca_arena_strdup(a, v->str) : NULL;
}

/* An array of numbers into arena storage; returns its length, or -1 when malformed. */
static long numbers(struct ca_arena *a, const struct ca_json *o, const char *key, double **out)
{
    const struct ca_json *v = member(o, key, CA_JSON_ARR);
    long n = 0;
    if (!v) return -1;
    for (const struct ca_json *e = v->child; e; e = e->next) {
        if (e->type != CA_JSON_NUM) return -1;
        n++;
    }
    if (n > MB_MAX_REPEAT) return -1;
    *out = ca_arena_alloc(a, (size_t)(n ? n : 1) * sizeof **out);
    if (!*out) return -1;
    n = 0;
    for (const struct ca_json *e = v->child; e; e = e->next) (*out)[n++] = e->num;
    return n;
}

enum ca_status mb_result_parse(const char *text, size_t len, struct ca_bench_result *r, char **msg)
{
    struct ca_arena tmp;
    struct ca_json *root = NULL;
    struct ca_json_error jerr;
    const struct ca_json *err;
    enum ca_status st;
    long ns, nt, np;
    const char *why = NULL;

    *msg = NULL;
    ca_arena_init(&tmp);
    st = ca_json_parse(text, len, &tmp, &root, &jerr);
    if (st == CA_ERR_NOMEM) goto out;
    if (st != CA_OK || root->type != CA_JSON_OBJ) {
        why = st != CA_OK ? jerr.message : "not an object";
        st = CA_ERR_PARSE;
        goto out;
    }
    /* what the child says about itself wins over what was asked; absent keys change nothing */
    if (member(root, "python", CA_JSON_STR)) r->python_version = str(&r->arena, root, "python");
    if (member(root, "executable", CA_JSON_STR)) r->python_executable = str(&r->arena, root, "executable");
    if (member(root, "start_method", CA_JSON_STR)) r->start_method = str(&r->arena, root, "start_method");
    if ((err = member(root, "error", CA_JSON_OBJ)) != NULL) {
        const struct ca_json *kind = member(err, "kind", CA_JSON_STR), *m = member(err, "message", CA_JSON_STR);
        const struct ca_json *tb = member(err, "traceback", CA_JSON_STR);
        const char *k = kind ? kind->str : "exception";
        struct mb_child fake;
        memset(&fake, 0, sizeof fake);
        fake.err = tb ? (char *)tb->str : NULL;
        fail_msg(r, strcmp(k, "crash") == 0 ? CA_BENCH_F_CRASH : strcmp(k, "start") == 0 ? CA_BENCH_F_START
                                                                                          : CA_BENCH_F_EXCEPTION,
                 tb ? &fake : NULL, "%s", m ? m->str : "the measured code failed");
        st = CA_OK;
        goto out;
    }
    ns = numbers(&r->arena, root, "serial", &r->serial);
    nt = numbers(&r->arena, root, "threads", &r->threads);
    np = numbers(&r->arena, root, "processes", &r->procs);
    if (ns < 1 || ns != nt || ns != np) {
        why = "serial, threads and processes must be arrays of the same non-zero length";
        st = CA_ERR_PARSE;
        goto out;
    }
    r->nrep = (size_t)ns;
    if (!isnan(num(root, "workers"))) r->workers = (unsigned)num(root, "workers");
    if (!isnan(num(root, "calls"))) r->calls = (long)num(root, "calls");
    r->calibrated = member(root, "calibrated", CA_JSON_BOOL) && member(root, "calibrated", CA_JSON_BOOL)->b;
    r->call_wall = num(root, "call_wall");
    r->call_cpu = num(root, "call_cpu");
    r->thread_startup = num(root, "thread_startup");
    r->proc_startup = num(root, "process_startup");
    {
        double *shares = NULL;
        long n = numbers(&r->arena, root, "gil_share", &shares);
        /* a call shorter than CA_BENCH_PROBE_MIN is mostly GIL hand-over: the probe says nothing */
        if (n > 0 && !(r->call_wall < CA_BENCH_PROBE_MIN)) r->gil_share = mb_stats(shares, (size_t)n).median;
    }
    st = CA_OK;
out:
    if (why) {
        struct ca_buf b;
        ca_buf_init(&b);
        ca_buf_printf(&b, "malformed result: %s", why);
        *msg = ca_buf_take(&b);
        if (!*msg) st = CA_ERR_NOMEM;
    }
    ca_arena_fini(&tmp);
    return st;
}

/* ---- the interpreter */

struct pyinfo {
    const char *executable, *version, *include, *platinclude, *ext_suffix;
};

static const char query_py[] =
    "import json, sys, sysconfig\n"
    "p = sysconfig.get_paths()\n"
    "print(json.dumps({'executable': sys.executable, 'version': '%d.%d.%d' % sys.version_info[:3],\n"
    "                  'include': p.get('include', ''), 'platinclude': p.get('platinclude', ''),\n"
    "                  'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX') or '.so'}))\n";

/* Ask the interpreter where it is and how extensions are built.  false: r->failure set. */
static enum ca_status python_query(struct ca_bench_result *r, const char *python, double timeout, struct pyinfo *pi,
                                   bool *ok)
{
    const char *argv[] = {python, "-c", query_py, NULL};
    struct mb_child ch;
    struct ca_arena tmp;
    struct ca_json *root = NULL;
    enum ca_status st;
    ca_arena_init(&tmp);
    st = run_step(r, argv, timeout, ca_arena_printf(&r->arena, "%s (asked for its build settings)", python),
                  CA_BENCH_F_START, &ch, ok);
    if (st != CA_OK || !*ok) goto out;
    *ok = false;
    if (ca_json_parse(ch.out ? ch.out : "", ch.nout, &tmp, &root, NULL) != CA_OK || root->type != CA_JSON_OBJ ||
        !member(root, "executable", CA_JSON_STR)) {
        fail_msg(r, CA_BENCH_F_START, &ch, "%s did not answer like a Python 3 interpreter", python);
        goto out;
    }
    pi->executable = str(&r->arena, root, "executable");
    pi->version = str(&r->arena, root, "version");
    pi->include = str(&r->arena, root, "include");
    pi->platinclude = str(&r->arena, root, "platinclude");
    pi->ext_suffix = str(&r->arena, root, "ext_suffix");
    if (!pi->executable || !*pi->executable) pi->executable = python; /* embedded interpreters leave it empty */
    if (!pi->version || !pi->include || !pi->platinclude || !pi->ext_suffix) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    *ok = true;
out:
    mb_child_fini(&ch);
    ca_arena_fini(&tmp);
    return st;
}

/* ---- building */

/* argv for the compiler: fixed part, then the case's own arguments. */
static const char **compiler_argv(struct ca_arena *a, const char *const *fixed, size_t nfixed,
                                  const struct ca_bench_case *c)
{
    const char **argv = ca_arena_alloc(a, (nfixed + c->ncc_args + 1) * sizeof *argv);
    if (!argv) return NULL;
    memcpy(argv, fixed, nfixed * sizeof *argv);
    for (size_t i = 0; i < c->ncc_args; i++) argv[nfixed + i] = c->cc_args[i];
    argv[nfixed + c->ncc_args] = NULL;
    return argv;
}

static enum ca_status build(struct ca_bench_result *r, const struct ca_bench_case *c, const char *const *fixed,
                            size_t nfixed, double timeout, bool *ok)
{
    const char **argv = compiler_argv(&r->arena, fixed, nfixed, c);
    struct mb_child ch;
    enum ca_status st;
    if (!argv) return CA_ERR_NOMEM;
    st = run_step(r, argv, timeout, r->compiler, CA_BENCH_F_BUILD, &ch, ok);
    if (st == CA_OK && !*ok && r->failure == CA_BENCH_F_BUILD)
        fail_msg(r, CA_BENCH_F_BUILD, &ch, "the build failed (%s exited with status %d)", r->compiler, ch.code);
    mb_child_fini(&ch);
    return st;
}

/* ---- the run */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *copy(struct ca_arena *a, const char *s) { return s ? ca_arena_strdup(a, s) : NULL; }

/* The driver's configuration, one JSON object. */
static char *driver_config(const struct ca_bench_case *c, const struct ca_bench_result *r, const char *path,
                           const char *module, const char *result, double timeout)
{
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_puts(&b, "{\"path\": ");
    ca_json_put_str(&b, path);
    ca_buf_puts(&b, ", \"module\": ");
    ca_json_put_str(&b, module);
    ca_buf_puts(&b, ", \"call\": ");
    ca_json_put_str(&b, c->call);
    ca_buf_puts(&b, ", \"setup\": ");
    ca_json_put_str(&b, c->setup ? c->setup : "");
    ca_buf_printf(&b, ", \"workers\": %u, \"calls\": %ld, \"target\": %g, \"repeat\": %u, \"timeout\": %g", r->workers,
                  c->calls, MB_TARGET_SECONDS, r->repeat, timeout);
    ca_buf_puts(&b, ", \"start_method\": ");
    if (c->start_method) ca_json_put_str(&b, c->start_method);
    else ca_buf_puts(&b, "null");
    ca_buf_puts(&b, ", \"result\": ");
    ca_json_put_str(&b, result);
    ca_buf_puts(&b, "}");
    return ca_buf_take(&b);
}

/* Run the measuring child (driver or harness) between two machine snapshots and read its
 * result file. */
static enum ca_status measure(struct ca_bench_result *r, const char *const *argv, const char *what,
                              const char *result_path, double timeout)
{
    struct mb_snap a, b;
    struct mb_child ch;
    enum ca_status st;
    bool ok = false;
    char *text = NULL, *msg = NULL;
    size_t len = 0;

    /* What a speedup can reach here, just before and just after the runs: a host that shares
     * its cores with other guests changes it while we measure. */
    bool probe = r->workers >= 2 && r->machine.cores >= 2;
    if (probe && !mb_cancelled) r->machine.capacity_before = mb_parallel_capacity(r->workers);
    mb_snap_take(&a);
    st = mb_child_run(argv, timeout, &ch);
    mb_snap_take(&b);
    if (st != CA_OK) goto out;
    if (probe && !mb_cancelled && ch.how == MB_CHILD_EXITED)
        r->machine.capacity_after = mb_parallel_capacity(r->workers);
    mb_snap_diff(&a, &b, ch.cpu, &r->machine);
    if (ch.how == MB_CHILD_EXITED && ca_file_read(result_path, &text, &len) == CA_OK) {
        /* exit status 3 with a result file: the measured code failed, and the file says how */
        st = mb_result_parse(text, len, r, &msg);
        if (st == CA_ERR_PARSE) {
            fail_msg(r, CA_BENCH_F_CRASH, &ch, "%s wrote a %s", what, msg);
            st = CA_OK;
        }
        if (st == CA_OK && r->failure == CA_BENCH_F_NONE && ch.code != 0)
            fail_msg(r, CA_BENCH_F_CRASH, &ch, "%s exited with status %d", what, ch.code);
        goto out;
    }
    ok = child_ok(r, &ch, what, timeout, CA_BENCH_F_CRASH);
    if (ok) fail_msg(r, CA_BENCH_F_CRASH, &ch, "%s exited without writing its result", what);
out:
    mb_child_fini(&ch);
    ca_free(text);
    ca_free(msg);
    return st;
}

static enum ca_status run_python(struct ca_bench_result *r, const struct ca_bench_case *c, const char *dir,
                                 const char *text, double timeout)
{
    struct pyinfo pi;
    char name[256];
    const char *module, *path, *driver, *result, *so;
    char *cfg = NULL, cwd[PATH_MAX];
    enum ca_status st;
    bool ok;

    /* The limit is for the measured code: building and asking the interpreter (through a
     * shim, on a loaded machine) may take longer than a tight --timeout. */
    double tbuild = timeout > MB_BUILD_TIMEOUT ? timeout : MB_BUILD_TIMEOUT;

    st = python_query(r, c->python ? c->python : "python3", tbuild, &pi, &ok);
    if (st != CA_OK || !ok) return st;
    r->python_executable = pi.executable;
    r->python_version = pi.version;
    if (c->source) {
        if (!mb_module_name(text, c->source, name, sizeof name)) {
            fail_msg(r, CA_BENCH_F_BUILD, NULL, "%s defines no PyInit_<name> and its file name is not a module name",
                     c->source);
            return CA_OK;
        }
        module = copy(&r->arena, name);
        so = ca_arena_printf(&r->arena, "%s/%s%s", dir, name, pi.ext_suffix);
        path = dir;
        {
            const char *inc = ca_arena_printf(&r->arena, "-I%s", pi.include);
            const char *pinc = ca_arena_printf(&r->arena, "-I%s", pi.platinclude);
            const char *fixed[] = {r->compiler, "-shared", "-fPIC", "-O2", inc, pinc, "-o", so, c->source};
            size_t nfixed = sizeof fixed / sizeof *fixed;
            if (!module || !so || !inc || !pinc) return CA_ERR_NOMEM;
            if (strcmp(pi.include, pi.platinclude) == 0) { /* drop the duplicate -I */
                memmove(&fixed[5], &fixed[6], 3 * sizeof *fixed);
                nfixed--;
            }
            st = build(r, c, fixed, nfixed, tbuild, &ok);
            if (st != CA_OK || !ok) return st;
        }
    } else {
        module = c->module;
        /* like `python -c "import NAME"`: the current directory first */
        path = copy(&r->arena, getcwd(cwd, sizeof cwd) ? cwd : ".");
    }
    r->module = module;
    driver = path_join(&r->arena, dir, "concadvise_bench_driver.py");
    result = path_join(&r->arena, dir, "result.json");
    if (!driver || !result || !path) return CA_ERR_NOMEM;
    st = mb_file_write(driver, mb_driver_py);
    if (st != CA_OK) return st;
    cfg = driver_config(c, r, path, module, result, timeout);
    if (!cfg) return CA_ERR_NOMEM;
    {
        const char *argv[] = {pi.executable, driver, cfg, NULL};
        st = measure(r, argv, "the Python driver", result, timeout);
    }
    ca_free(cfg);
    return st;
}

static enum ca_status run_c(struct ca_bench_result *r, const struct ca_bench_case *c, const char *dir, double timeout)
{
    char tu[PATH_MAX];
    const char *user, *main_c, *exe, *result;
    struct ca_buf b;
    enum ca_status st;
    bool ok;

    if (!realpath(c->source, tu)) {
        fail_msg(r, CA_BENCH_F_BUILD, NULL, "cannot resolve %s: %s", c->source, strerror(errno));
        return CA_OK;
    }
    user = path_join(&r->arena, dir, "harness_user.c");
    main_c = path_join(&r->arena, dir, "harness_main.c");
    exe = path_join(&r->arena, dir, "harness");
    result = path_join(&r->arena, dir, "result.json");
    if (!user || !main_c || !exe || !result) return CA_ERR_NOMEM;
    ca_buf_init(&b);
    mb_harness_user_c(&b, tu, c->setup, c->call);
    st = b.failed ? CA_ERR_NOMEM : mb_file_write(user, b.data);
    ca_buf_fini(&b);
    if (st == CA_OK) st = mb_file_write(main_c, mb_harness_main_c);
    if (st != CA_OK) return st;
    {
        const char *fixed[] = {r->compiler, "-O2", "-pthread", "-Dmain=" MB_USER_MAIN, "-o", exe, user, main_c};
        st = build(r, c, fixed, sizeof fixed / sizeof *fixed, timeout > MB_BUILD_TIMEOUT ? timeout : MB_BUILD_TIMEOUT, &ok);
        if (st != CA_OK || !ok) return st;
    }
    {
        char workers[32], calls[32], repeat[32], target[32];
        const char *argv[] = {exe, result, workers, calls, repeat, target, NULL};
        snprintf(workers, sizeof workers, "%u", r->workers);
        snprintf(calls, sizeof calls, "%ld", c->calls);
        snprintf(repeat, sizeof repeat, "%u", r->repeat);
        snprintf(target, sizeof target, "%g", MB_TARGET_SECONDS);
        r->start_method = "fork";
        return measure(r, argv, "the C harness", result, timeout);
    }
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The part of a case that needs a temporary directory: build, measure, look at the machine. */
static enum ca_status in_tmpdir(struct ca_bench_result *r, const struct ca_bench_case *c, const char *text,
                                double timeout)
{
    char *dir = NULL;
    struct mb_snap s;
    enum ca_status st;

    r->machine.load_before = mb_loadavg();
    mb_snap_take(&s);
    r->machine.psi_before = s.psi_ok ? s.psi_avg10 : NAN;
    st = mb_tmpdir_new(&dir);
    if (st != CA_OK) goto out;
    if (c->keep_temp && !(r->temp_dir = copy(&r->arena, dir))) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    st = r->kind == CA_BENCH_C ? run_c(r, c, dir, timeout) : run_python(r, c, dir, text, timeout);
    if (st != CA_OK) goto out;
    r->machine.load_after = mb_loadavg();
    mb_snap_take(&s);
    r->machine.psi_after = s.psi_ok ? s.psi_avg10 : NAN;
    mb_machine_judge(&r->machine, &r->arena);
out:
    if (dir && !c->keep_temp) mb_tmpdir_remove(dir);
    ca_free(dir);
    return st;
}

enum ca_status ca_bench_run(const struct ca_bench_case *c, struct ca_bench_result *r)
{
    char *msg = NULL, *text = NULL;
    size_t len;
    double timeout = c->timeout > 0 ? c->timeout : MB_DEFAULT_TIMEOUT, start = mono();
    enum ca_status st = ca_bench_case_check(c, &msg);

    if (st != CA_OK) {
        if (msg) r->failure_message = copy(&r->arena, msg);
        goto out;
    }
    r->name = copy(&r->arena, c->name ? c->name : c->source ? base_name(c->source) : c->module);
    r->function = copy(&r->arena, c->function);
    r->source = copy(&r->arena, c->source);
    r->module = copy(&r->arena, c->module);
    r->call = copy(&r->arena, c->call);
    r->setup = copy(&r->arena, c->setup);
    r->expect = c->expect;
    r->calls = c->calls;
    r->machine.cores = mb_cores(&r->machine.online);
    r->machine.quota = mb_cpu_quota();
    r->workers = c->workers ? c->workers : r->machine.cores;
    r->repeat = c->repeat ? c->repeat : MB_DEFAULT_REPEAT;
    r->compiler = copy(&r->arena, c->cc ? c->cc : getenv("CC") && *getenv("CC") ? getenv("CC") : "cc");
    r->kind = c->module ? CA_BENCH_PYTHON_MODULE : CA_BENCH_PYTHON_SOURCE;
    if (!r->name || !r->call || !r->compiler) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    if (c->source) {
        st = ca_file_read(c->source, &text, &len);
        if (st == CA_ERR_NOMEM) goto out;
        if (st != CA_OK) fail_msg(r, CA_BENCH_F_BUILD, NULL, "cannot read %s: %s", c->source, strerror(errno));
        else if (!mb_is_python_source(text)) r->kind = CA_BENCH_C;
        st = CA_OK;
    }
    if (r->failure == CA_BENCH_F_NONE) st = in_tmpdir(r, c, text, timeout);
    if (st != CA_OK) goto out;
    if (mb_cancelled && r->failure == CA_BENCH_F_NONE) fail_msg(r, CA_BENCH_F_CANCELLED, NULL, "interrupted");
    mb_judge(r);
out:
    ca_free(text);
    ca_free(msg);
    r->elapsed = mono() - start;
    return st;
}
