/* mb_child.c: runs one child (a compiler, the Python driver, the C harness) in its own process
 * group under a time limit, capturing its output; makes and removes temporary directories.
 * It does not interpret what the child printed, and it never signals anything but the group it
 * created, and only while that group's leader is unreaped (a reaped id may be recycled). */
#define _GNU_SOURCE /* pipe2 */
#include "mb_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t mb_cancelled;

void ca_bench_cancel(void) { mb_cancelled = 1; }

#define OUT_MAX (8u << 20)   /* standard output kept: the rest is dropped */
#define ERR_KEEP (16u << 10) /* standard error: the last 16 KiB are kept */
#define DRAIN_SECONDS 2.0    /* after a kill or an exit, wait this long for the pipes to close */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

void mb_child_fini(struct mb_child *c)
{
    if (!c) return;
    ca_free(c->out);
    ca_free(c->err);
    c->out = c->err = NULL;
    c->nout = c->nerr = 0;
}

/* One captured stream: a growing buffer, capped at `max` bytes; `tail` keeps the last `max`
 * bytes instead of the first. */
struct stream {
    int fd;
    char *buf;
    size_t len, cap, max;
    bool tail, failed;
};

static void stream_read(struct stream *s)
{
    char chunk[8192];
    ssize_t n = read(s->fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        close(s->fd);
        s->fd = -1;
        return;
    }
    if (s->failed) return;
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t need = s->len + (size_t)n + 1;
        if (!s->tail && s->len >= s->max) return;
        if (ca_grow((void **)&s->buf, &s->cap, need, 1) != CA_OK) {
            s->failed = true;
            return;
        }
    }
    memcpy(s->buf + s->len, chunk, (size_t)n);
    s->len += (size_t)n;
    if (s->tail && s->len > 2 * s->max) { /* keep the last max bytes */
        memmove(s->buf, s->buf + s->len - s->max, s->max);
        s->len = s->max;
    }
    if (!s->tail && s->len > s->max) s->len = s->max;
    s->buf[s->len] = '\0';
}

/* Poll both streams for at most `wait` seconds and read what is there. */
static void pump(struct stream *s, size_t ns, double wait)
{
    struct pollfd pf[2];
    size_t map[2], n = 0;
    for (size_t i = 0; i < ns; i++)
        if (s[i].fd >= 0) {
            pf[n].fd = s[i].fd;
            pf[n].events = POLLIN;
            pf[n].revents = 0;
            map[n++] = i;
        }
    if (n == 0) {
        nap(wait < 0.002 ? wait : 0.002);
        return;
    }
    if (poll(pf, (nfds_t)n, (int)(wait * 1000.0) + 1) <= 0) return;
    for (size_t i = 0; i < n; i++)
        if (pf[i].revents) stream_read(&s[map[i]]);
}

/* Has the leader exited?  0 running; 1 exited, left unreaped (a zombie keeps its id, and so
 * its group id, from being recycled); 2 gone already (reaped by someone else: SIGCHLD ignored),
 * so its group must not be signalled any more. */
static int leader_state(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD ? 2 : 0;
    return si.si_pid == pid ? 1 : 0;
}

/* Live (not zombie) processes in group pgid, from /proc; -1 when /proc cannot be read. */
int mb_group_count(pid_t pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        char path[300], text[512], *p;
        FILE *f;
        char state;
        long grp;
        size_t len;
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (!f) continue;
        len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        p = strrchr(text, ')'); /* the command name may contain anything but ends at the last ')' */
        if (!p || sscanf(p + 1, " %c %*d %ld", &state, &grp) != 2) continue;
        if (grp == (long)pgid && state != 'Z' && state != 'X') n++;
    }
    closedir(d);
    return n;
}

/* Reap what is left of the group when we are its reaper (a child subreaper, or its parent):
 * killed members become zombies a moment after SIGKILL. */
static void reap_group(pid_t pgid)
{
    double until = now() + 1.0;
    for (;;) {
        while (waitpid(-pgid, NULL, WNOHANG) > 0) {}
        if (mb_group_count(pgid) <= 0 || now() > until) break;
        nap(0.002);
    }
}

enum ca_status mb_child_run(const char *const *argv, double timeout, struct mb_child *c)
{
    int out[2] = {-1, -1}, err[2] = {-1, -1}, ex[2] = {-1, -1};
    struct stream s[2];
    enum ca_status st = CA_OK;
    double start, deadline;
    pid_t pid;
    int status = 0, exec_errno = 0;
    bool killed = false;
    int leader = 0;
    struct rusage ru;

    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof s);
    memset(&ru, 0, sizeof ru);
    s[0].fd = s[1].fd = -1;
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(ex, O_CLOEXEC) != 0) {
        st = CA_ERR_IO;
        goto out;
    }
    fflush(NULL); /* the child must not flush our buffers again (it execs, but exec may fail) */
    start = now();
    pid = fork();
    if (pid < 0) {
        st = CA_ERR_IO;
        goto out;
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only until exec. */
        sigset_t none;
        int devnull, e;
        setpgid(0, 0);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        execvp(argv[0], (char *const *)argv);
        e = errno;
        if (write(ex[1], &e, sizeof e) < 0) { /* nothing more to say */ }
        _exit(127);
    }
    c->pid = pid;
    setpgid(pid, pid); /* both sides set it: whichever runs first, the group exists before we signal */
    close(out[1]);
    close(err[1]);
    close(ex[1]);
    out[1] = err[1] = ex[1] = -1;
    if (read(ex[0], &exec_errno, sizeof exec_errno) != (ssize_t)sizeof exec_errno) exec_errno = 0;

    s[0].fd = out[0];
    s[0].max = OUT_MAX;
    s[1].fd = err[0];
    s[1].max = ERR_KEEP;
    s[1].tail = true;
    out[0] = err[0] = -1;
    deadline = start + (timeout > 0 ? timeout : MB_DEFAULT_TIMEOUT);

    /* Wait for the leader to exit, the deadline, or a cancellation, reading as we go. */
    while (leader == 0) {
        double left = deadline - now();
        if (mb_cancelled || left <= 0) {
            c->how = mb_cancelled ? MB_CHILD_CANCELLED : MB_CHILD_TIMEOUT;
            killpg(pid, SIGKILL);
            killed = true;
            break;
        }
        pump(s, 2, left < 0.05 ? left : 0.05);
        leader = leader_state(pid);
    }
    if (leader == 1) {
        /* Anything it left in its group goes too (pool workers, background jobs).  The leader
         * is a zombie now, which mb_group_count does not count. */
        int left = mb_group_count(pid);
        if (left > 0) {
            c->stragglers = left;
            killpg(pid, SIGKILL);
        }
    }
    /* Drain what was written before the end; a killed straggler may hold a pipe a moment. */
    for (double until = now() + DRAIN_SECONDS; (s[0].fd >= 0 || s[1].fd >= 0) && now() < until;)
        pump(s, 2, 0.05);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    if (leader != 2) reap_group(pid);
    c->wall = now() - start;
    c->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
             (double)ru.ru_stime.tv_usec * 1e-6;
    if (exec_errno) {
        c->how = MB_CHILD_EXEC_FAILED;
        c->code = exec_errno;
    } else if (!killed) {
        if (WIFSIGNALED(status)) {
            c->how = MB_CHILD_SIGNALED;
            c->code = WTERMSIG(status);
        } else {
            c->how = MB_CHILD_EXITED;
            c->code = WEXITSTATUS(status);
        }
    }
    if (s[0].failed || s[1].failed) st = CA_ERR_NOMEM;
out:
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0) close(out[i]);
        if (err[i] >= 0) close(err[i]);
        if (ex[i] >= 0) close(ex[i]);
        if (s[i].fd >= 0) close(s[i].fd);
    }
    if (st == CA_OK) {
        c->out = s[0].buf;
        c->nout = s[0].len;
        c->err = s[1].buf;
        c->nerr = s[1].len;
    } else {
        ca_free(s[0].buf);
        ca_free(s[1].buf);
    }
    return st;
}

/* ---- temporary directories */

enum ca_status mb_tmpdir_new(char **out)
{
    const char *base = getenv("TMPDIR");
    struct ca_buf b;
    char *p;
    if (!base || !*base) base = "/tmp";
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s/concadvise-bench-XXXXXX", base);
    p = ca_buf_take(&b);
    if (!p) return CA_ERR_NOMEM;
    if (!mkdtemp(p)) {
        ca_free(p);
        return CA_ERR_IO;
    }
    *out = p;
    return CA_OK;
}

/* Empty the directory open as dfd (which this closes). */
static int empty_dir(int dfd)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    int rc = 0;
    if (!d) {
        close(dfd);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = -1;
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0 || empty_dir(sub) != 0 || unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) != 0) rc = -1;
        } else if (unlinkat(dirfd(d), e->d_name, 0) != 0) {
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

int mb_tmpdir_remove(const char *dir)
{
    int dfd;
    if (!dir) return 0;
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return errno == ENOENT ? 0 : -1;
    if (empty_dir(dfd) != 0) return -1;
    return rmdir(dir);
}

enum ca_status mb_file_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    size_t n = strlen(text);
    int bad;
    if (!f) return CA_ERR_IO;
    bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? CA_ERR_IO : CA_OK;
}
