/* floor.c: ca_floor, the floor for any libclang analyzer (timed by bench/run.sh).
 * For each entry of DIR/compile_commands.json (or only the FILEs named) it parses the file with
 * the arguments and parse options concadvise uses, walks every cursor of the translation unit
 * recursively, and disposes of it: nothing else.  Not part of concadvise and not installed: it
 * links libclang and pthreads only and shares no code with the analyzer, so that it measures
 * libclang alone.  Prints one line:
 *   files=N failed=N cursors=N wall=SECONDS walk=SECONDS
 * failed: no translation unit, or one with an error diagnostic; like concadvise, it does not walk
 * those.  wall: from the first parse to the last dispose (not the loading of the database);
 * walk: the time spent in clang_visitChildren, summed over the threads. */
#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USAGE "usage: ca_floor -p DIR [-j N] [--options concadvise|none] [FILE...]\n"

struct unit {
    char *file;  /* absolute, as concadvise makes it */
    char *key;   /* its real path (the file itself when it has none): one unit per key */
    char **args; /* the build's arguments minus dropped(), relative paths made absolute */
    int nargs;
};

struct pool {
    struct unit *u;
    size_t n, next, failed;
    unsigned long long cursors;
    double walk;
    unsigned options;
    pthread_mutex_t mu;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("ca_floor: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = xmalloc(n);
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static char *real_path(const char *path)
{
    char buf[PATH_MAX];
    return join(realpath(path, buf) ? buf : path, "", "");
}

/* Mirrors dropped_arg() in analyzer/inputs.c (keep the two in step): 2 drops the argument and
 * its value, 1 the argument alone.  Outputs, dependency files, -Werror*, and the source file. */
static int dropped(const char *a, const char *dir, const struct unit *u)
{
    static const char *const with_value[] = {"-o", "-MF", "-MT", "-MQ", "-MJ"};
    static const char *const alone[] = {"-c", "--", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG"};
    size_t i;
    char buf[PATH_MAX], *abs;
    int r;
    for (i = 0; i < sizeof with_value / sizeof *with_value; i++)
        if (strcmp(a, with_value[i]) == 0) return 2;
    for (i = 0; i < sizeof alone / sizeof *alone; i++)
        if (strcmp(a, alone[i]) == 0) return 1;
    if (strncmp(a, "-o", 2) == 0 && strncmp(a, "-objc", 5) != 0) return 1;
    if (strncmp(a, "-MF", 3) == 0 || strncmp(a, "-MT", 3) == 0 || strncmp(a, "-MQ", 3) == 0 ||
        strncmp(a, "-MJ", 3) == 0 || strncmp(a, "-Wp,-MD,", 8) == 0 || strncmp(a, "-Wp,-MMD,", 9) == 0 ||
        strncmp(a, "-Werror", 7) == 0)
        return 1;
    if (a[0] == '-') return 0;
    abs = a[0] == '/' ? join(a, "", "") : join(dir, "/", a);
    r = strcmp(abs, u->file) == 0 || (realpath(abs, buf) && strcmp(buf, u->key) == 0);
    free(abs);
    return r;
}

/* One unit per entry, as entry_args() in analyzer/inputs.c builds it: argv[0] (and the compiler
 * after a ccache/distcc/sccache wrapper) is not passed.  libclang's database loader passes
 * "arguments" through; it would add -target/--driver-mode only for a prefixed compiler name. */
/* As analyzer/inputs.c (entry_args): no -working-directory, which clang implements by changing
 * the current directory of the whole process (a race between threads); the values of the path
 * options are made absolute against the entry's directory instead.  path_value: is `a` such an
 * option?  *k is the length of the option when the value is joined to it, else 0. */
static int path_value(const char *a, int *k)
{
    static const char *const opts[] = {"-include-pch", "-include", "-imacros", "-isystem", "-iquote", "-idirafter",
                                       "-iframework", "-isysroot", "--sysroot=", "--sysroot", "--include-directory=",
                                       "-I", "-F"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        size_t l = strlen(opts[i]);
        if (strncmp(a, opts[i], l) == 0) {
            *k = a[l] ? (int)l : 0;
            return 1;
        }
    }
    return 0;
}

/* a[0, nopt) followed by a + nopt made absolute against dir. */
static char *absolute(const char *a, size_t nopt, const char *dir)
{
    const char *v = a + nopt;
    char *opt = xmalloc(nopt + 1), *r;
    memcpy(opt, a, nopt);
    opt[nopt] = '\0';
    if (v[0] == '/' || !v[0]) {
        r = join(opt, "", v);
    } else {
        char *d = join(dir, "/", "");
        r = join(opt, d, v);
        free(d);
    }
    free(opt);
    return r;
}

static void add_unit(struct unit *u, CXCompileCommand cmd)
{
    CXString d = clang_CompileCommand_getDirectory(cmd), f = clang_CompileCommand_getFilename(cmd);
    const char *dir = clang_getCString(d), *file = clang_getCString(f);
    unsigned n = clang_CompileCommand_getNumArgs(cmd), i = 1;
    u->file = file[0] == '/' ? join(file, "", "") : join(dir, "/", file);
    u->key = real_path(u->file);
    u->args = xmalloc((n + 1) * sizeof *u->args);
    u->nargs = 0;
    if (n > 1) {
        CXString a0 = clang_CompileCommand_getArg(cmd, 0), a1 = clang_CompileCommand_getArg(cmd, 1);
        const char *b = strrchr(clang_getCString(a0), '/');
        b = b ? b + 1 : clang_getCString(a0);
        if ((!strcmp(b, "ccache") || !strcmp(b, "distcc") || !strcmp(b, "sccache")) && clang_getCString(a1)[0] != '-')
            i = 2;
        clang_disposeString(a0);
        clang_disposeString(a1);
    }
    for (; i < n; i++) {
        CXString a = clang_CompileCommand_getArg(cmd, i);
        int k = dropped(clang_getCString(a), dir, u);
        if (k == 2) i++;
        else if (k == 0 && path_value(clang_getCString(a), &k) && k > 0) /* -Iinc: joined */
            u->args[u->nargs++] = absolute(clang_getCString(a), (size_t)k, dir);
        else if (k == 0 && path_value(clang_getCString(a), &k) && i + 1 < n) { /* -I inc */
            CXString v = clang_CompileCommand_getArg(cmd, ++i);
            u->args[u->nargs++] = join(clang_getCString(a), "", "");
            u->args[u->nargs++] = absolute(clang_getCString(v), 0, dir);
            clang_disposeString(v);
        } else if (k == 0) u->args[u->nargs++] = join(clang_getCString(a), "", "");
        clang_disposeString(a);
    }
    clang_disposeString(d);
    clang_disposeString(f);
}

static void unit_fini(struct unit *u)
{
    while (u->nargs) free(u->args[--u->nargs]);
    free(u->args);
    free(u->file);
    free(u->key);
}

static enum CXChildVisitResult count_cursor(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)c;
    (void)parent;
    ++*(unsigned long long *)data;
    return CXChildVisit_Recurse;
}

/* One CXIndex per thread (as the engine's workers have); files come from a shared counter. */
static void *worker(void *arg)
{
    struct pool *p = arg;
    CXIndex idx = clang_createIndex(0, 0); /* as ca_front_new() */
    unsigned long long cursors = 0;
    size_t failed = 0, i;
    double walk = 0;
    for (;;) {
        CXTranslationUnit tu = NULL;
        unsigned d, nd, bad;
        pthread_mutex_lock(&p->mu);
        i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n) break;
        bad = clang_parseTranslationUnit2(idx, p->u[i].file, (const char *const *)p->u[i].args, p->u[i].nargs, NULL,
                                          0, p->options, &tu) != CXError_Success || !tu;
        for (d = 0, nd = bad ? 0 : clang_getNumDiagnostics(tu); d < nd && !bad; d++) {
            CXDiagnostic g = clang_getDiagnostic(tu, d);
            bad = clang_getDiagnosticSeverity(g) >= CXDiagnostic_Error;
            clang_disposeDiagnostic(g);
        }
        if (!bad) {
            double t = now();
            clang_visitChildren(clang_getTranslationUnitCursor(tu), count_cursor, &cursors);
            walk += now() - t;
        }
        failed += bad;
        if (tu) clang_disposeTranslationUnit(tu);
    }
    clang_disposeIndex(idx);
    pthread_mutex_lock(&p->mu);
    p->failed += failed;
    p->cursors += cursors;
    p->walk += walk;
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int main(int argc, char **argv)
{
    /* as ca_front_parse(); "none" is libclang's plain parse */
    struct pool p = {.options = CXTranslationUnit_DetailedPreprocessingRecord |
                                CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles};
    const char *dir = NULL;
    long jobs = 1;
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"options", required_argument, NULL, 'O'},
                                             {NULL, 0, NULL, 0}};
    int c, k, nfiles, started = 0;
    char **files;
    CXCompilationDatabase_Error err;
    CXCompilationDatabase db;
    CXCompileCommands cmds;
    pthread_t *th;
    double t0;
    size_t i, n;
    while ((c = getopt_long(argc, argv, "hp:j:", longopts, NULL)) != -1) {
        if (c == 'h') return fputs(USAGE, stdout) == EOF;
        if (c == 'p') dir = optarg;
        else if (c == 'j') jobs = strtol(optarg, NULL, 10);
        else if (c == 'O' && !strcmp(optarg, "none")) p.options = 0;
        else if (c != 'O' || strcmp(optarg, "concadvise") != 0) return fputs(USAGE, stderr), 2;
    }
    if (!dir || jobs < 1 || jobs > 256) return fputs(USAGE, stderr), 2;
    nfiles = argc - optind;
    files = xmalloc((size_t)nfiles * sizeof *files);
    for (k = 0; k < nfiles; k++) files[k] = real_path(argv[optind + k]);
    db = clang_CompilationDatabase_fromDirectory(dir, &err);
    if (err != CXCompilationDatabase_NoError) {
        fprintf(stderr, "ca_floor: cannot load %s/compile_commands.json\n", dir);
        return 2;
    }
    cmds = clang_CompilationDatabase_getAllCompileCommands(db);
    n = cmds ? clang_CompileCommands_getSize(cmds) : 0;
    p.u = xmalloc(n * sizeof *p.u);
    for (i = 0; i < n; i++) {
        int keep = nfiles == 0;
        size_t j;
        add_unit(&p.u[p.n], clang_CompileCommands_getCommand(cmds, (unsigned)i));
        for (k = 0; k < nfiles && !keep; k++) keep = strcmp(files[k], p.u[p.n].key) == 0;
        for (j = 0; j < p.n && keep; j++) keep = strcmp(p.u[j].key, p.u[p.n].key) != 0; /* first entry wins */
        if (keep) p.n++;
        else unit_fini(&p.u[p.n]);
    }
    if (cmds) clang_CompileCommands_dispose(cmds);
    clang_CompilationDatabase_dispose(db);
    if ((size_t)jobs > p.n) jobs = p.n ? (long)p.n : 1;
    th = xmalloc((size_t)jobs * sizeof *th);
    pthread_mutex_init(&p.mu, NULL);
    t0 = now();
    for (; started < jobs; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0) break;
    if (!started) worker(&p);
    for (c = 0; c < started; c++) pthread_join(th[c], NULL);
    printf("files=%zu failed=%zu cursors=%llu wall=%.3f walk=%.3f\n", p.n, p.failed, p.cursors, now() - t0, p.walk);
    pthread_mutex_destroy(&p.mu);
    for (i = 0; i < p.n; i++) unit_fini(&p.u[i]);
    for (k = 0; k < nfiles; k++) free(files[k]);
    free(files);
    free(p.u);
    free(th);
    return 0;
}
