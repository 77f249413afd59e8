/* mb_report.c: a benchmark result as text (for people) and as the JSON `benchmark` object (for
 * the bench report and for loops in the analysis report).  Pure functions of the result; no
 * I/O.  Numbers that were not measured are null in JSON and left out of the text. */
#include "mb_int.h"

#include <math.h>
#include <string.h>

#include "ca_json.h"

/* ---- JSON */

static void nl(struct ca_buf *b, int indent)
{
    ca_buf_putc(b, '\n');
    for (int i = 0; i < indent; i++) ca_buf_putc(b, ' ');
}

static void key(struct ca_buf *b, int indent, bool *first, const char *k)
{
    if (!*first) ca_buf_putc(b, ',');
    *first = false;
    nl(b, indent);
    ca_json_put_str(b, k);
    ca_buf_puts(b, ": ");
}

static void put_num(struct ca_buf *b, double v)
{
    if (isnan(v) || isinf(v)) ca_buf_puts(b, "null");
    else ca_buf_printf(b, "%.6g", v);
}

static void put_str(struct ca_buf *b, const char *s)
{
    if (s) ca_json_put_str(b, s);
    else ca_buf_puts(b, "null");
}

static void put_stats(struct ca_buf *b, struct ca_bench_stats s, const double *v, size_t n)
{
    ca_buf_puts(b, "{\"min\": ");
    put_num(b, s.min);
    ca_buf_puts(b, ", \"median\": ");
    put_num(b, s.median);
    ca_buf_puts(b, ", \"max\": ");
    put_num(b, s.max);
    ca_buf_puts(b, ", \"runs\": [");
    for (size_t i = 0; i < n; i++) {
        if (i) ca_buf_puts(b, ", ");
        put_num(b, v[i]);
    }
    ca_buf_puts(b, "]}");
}

/* {"k1": v1, "k2": v2<extra>} */
static void put_pair(struct ca_buf *b, const char *k1, double v1, const char *k2, double v2, const char *extra)
{
    ca_buf_printf(b, "{\"%s\": ", k1);
    put_num(b, v1);
    ca_buf_printf(b, ", \"%s\": ", k2);
    put_num(b, v2);
    ca_buf_printf(b, "%s}", extra);
}

void ca_bench_result_json(const struct ca_bench_result *r, struct ca_buf *b, int indent)
{
    const struct ca_bench_machine *m = &r->machine;
    int in = indent + 2, in2 = indent + 4;
    bool f = true, g;

    ca_buf_putc(b, '{');
    key(b, in, &f, "name"); put_str(b, r->name);
    key(b, in, &f, "kind"); put_str(b, ca_bench_kind_str(r->kind));
    key(b, in, &f, "function"); put_str(b, r->function);
    key(b, in, &f, "source"); put_str(b, r->source);
    key(b, in, &f, "module"); put_str(b, r->module);
    key(b, in, &f, "call"); put_str(b, r->call);
    key(b, in, &f, "setup"); put_str(b, r->setup);
    key(b, in, &f, "python"); put_str(b, r->python_version);
    key(b, in, &f, "python_executable"); put_str(b, r->python_executable);
    key(b, in, &f, "start_method"); put_str(b, r->start_method);
    key(b, in, &f, "compiler"); put_str(b, r->compiler);
    key(b, in, &f, "workers"); ca_buf_printf(b, "%u", r->workers);
    key(b, in, &f, "calls"); ca_buf_printf(b, "%ld", r->calls);
    key(b, in, &f, "calibrated"); ca_buf_puts(b, r->calibrated ? "true" : "false");
    key(b, in, &f, "repeat"); ca_buf_printf(b, "%zu", r->nrep);
    key(b, in, &f, "seconds");
    ca_buf_putc(b, '{');
    g = true;
    key(b, in2, &g, "serial"); put_stats(b, r->s_serial, r->serial, r->nrep);
    key(b, in2, &g, "threads"); put_stats(b, r->s_threads, r->threads, r->nrep);
    key(b, in2, &g, "processes"); put_stats(b, r->s_procs, r->procs, r->nrep);
    nl(b, in);
    ca_buf_putc(b, '}');
    key(b, in, &f, "speedup"); put_pair(b, "threads", r->speedup_threads, "processes", r->speedup_procs, "");
    key(b, in, &f, "startup_seconds");
    put_pair(b, "threads", r->thread_startup, "processes", r->proc_startup, ", \"included\": false");
    key(b, in, &f, "call_seconds"); put_pair(b, "wall", r->call_wall, "cpu", r->call_cpu, "");
    key(b, in, &f, "gil_probe_share"); put_num(b, r->gil_share);
    key(b, in, &f, "machine");
    ca_buf_putc(b, '{');
    g = true;
    key(b, in2, &g, "cores"); ca_buf_printf(b, "%u", m->cores);
    key(b, in2, &g, "cpus_online"); ca_buf_printf(b, "%u", m->online);
    key(b, in2, &g, "load_before"); put_num(b, m->load_before);
    key(b, in2, &g, "load_after"); put_num(b, m->load_after);
    key(b, in2, &g, "cpu_pressure_before"); put_num(b, m->psi_before);
    key(b, in2, &g, "cpu_pressure_after"); put_num(b, m->psi_after);
    key(b, in2, &g, "cpu_pressure_during"); put_num(b, m->psi_during);
    key(b, in2, &g, "other_cores_during"); put_num(b, m->other_cores);
    key(b, in2, &g, "cpu_quota"); put_num(b, m->quota);
    key(b, in2, &g, "parallel_capacity"); put_num(b, m->capacity);
    key(b, in2, &g, "parallel_capacity_before"); put_num(b, m->capacity_before);
    key(b, in2, &g, "parallel_capacity_after"); put_num(b, m->capacity_after);
    key(b, in2, &g, "busy"); ca_buf_puts(b, m->busy ? "true" : "false");
    key(b, in2, &g, "busy_reason"); put_str(b, m->busy_reason);
    nl(b, in);
    ca_buf_putc(b, '}');
    key(b, in, &f, "failure");
    if (r->failure == CA_BENCH_F_NONE) {
        ca_buf_puts(b, "null");
    } else {
        ca_buf_puts(b, "{\"kind\": ");
        put_str(b, ca_bench_failure_str(r->failure));
        ca_buf_puts(b, ", \"message\": ");
        put_str(b, r->failure_message);
        ca_buf_putc(b, '}');
    }
    key(b, in, &f, "verdict"); put_str(b, ca_bench_verdict_str(r->verdict));
    key(b, in, &f, "verdict_reason"); put_str(b, r->verdict_reason);
    key(b, in, &f, "inconclusive_cause"); put_str(b, ca_bench_cause_str(r->cause));
    key(b, in, &f, "thresholds"); put_pair(b, "win", r->win, "flat", r->flat, "");
    key(b, in, &f, "expected"); put_str(b, ca_bench_rec_str(r->expect));
    key(b, in, &f, "agreement"); put_str(b, ca_bench_agreement_str(r->agreement));
    key(b, in, &f, "agreement_reason"); put_str(b, r->agreement_reason);
    key(b, in, &f, "elapsed_seconds"); put_num(b, r->elapsed);
    if (r->temp_dir) {
        key(b, in, &f, "temp_dir");
        put_str(b, r->temp_dir);
    }
    nl(b, indent);
    ca_buf_putc(b, '}');
}

/* ---- text */

static void row(struct ca_buf *b, const char *name, struct ca_bench_stats s, double speedup)
{
    ca_buf_printf(b, "    %-10s %9.4f %9.4f %9.4f", name, s.min, s.median, s.max);
    if (!isnan(speedup)) ca_buf_printf(b, "   %.2fx", speedup);
    ca_buf_putc(b, '\n');
}

static void ms(struct ca_buf *b, double seconds)
{
    if (seconds < 1e-3) ca_buf_printf(b, "%.1f us", seconds * 1e6);
    else if (seconds < 1) ca_buf_printf(b, "%.2f ms", seconds * 1e3);
    else ca_buf_printf(b, "%.2f s", seconds);
}

/* Lines of a multi-line message, each indented. */
static void indented(struct ca_buf *b, const char *text, const char *pad)
{
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        ca_buf_puts(b, pad);
        ca_buf_putn(b, p, n);
        ca_buf_putc(b, '\n');
        p = e ? e + 1 : NULL;
    }
}

static void machine_line(struct ca_buf *b, const struct ca_bench_machine *m)
{
    ca_buf_printf(b, "  machine: %u usable core%s", m->cores, m->cores == 1 ? "" : "s");
    if (m->online && m->online != m->cores) ca_buf_printf(b, " (of %u online)", m->online);
    if (!isnan(m->quota)) ca_buf_printf(b, " (a CPU quota of %.2f cores)", m->quota);
    if (!isnan(m->load_before))
        ca_buf_printf(b, "; load average %.2f before, %.2f after", m->load_before, m->load_after);
    if (!isnan(m->psi_before) || !isnan(m->psi_during)) {
        ca_buf_puts(b, "; CPU pressure");
        if (!isnan(m->psi_before)) ca_buf_printf(b, " %.1f%% before", m->psi_before);
        if (!isnan(m->psi_during)) ca_buf_printf(b, "%s %.1f%% during the run", isnan(m->psi_before) ? "" : ",", m->psi_during);
    } else {
        ca_buf_puts(b, "; no CPU pressure data (/proc/pressure/cpu)");
    }
    if (!isnan(m->other_cores)) ca_buf_printf(b, "; other processes used %.2f cores during the run", m->other_cores);
    ca_buf_putc(b, '\n');
    if (!isnan(m->capacity)) {
        ca_buf_printf(b, "  parallel capacity: with all workers at once, a reference computation ran %.2fx as fast "
                         "as with one", m->capacity);
        if (!isnan(m->capacity_before) && !isnan(m->capacity_after))
            ca_buf_printf(b, " (the lesser of %.2fx just before the runs and %.2fx just after)", m->capacity_before,
                          m->capacity_after);
        ca_buf_printf(b, "; ideal: the worker count%s\n",
                      !isnan(m->quota) && m->capacity >= m->quota ? "; capped by the quota" : "");
    }
    if (m->busy) ca_buf_printf(b, "  warning: busy machine: %s\n", m->busy_reason);
}

void ca_bench_result_text(const struct ca_bench_result *r, struct ca_buf *b)
{
    ca_buf_printf(b, "%s: %s\n", r->name ? r->name : "bench", r->call ? r->call : "");
    if (r->kind == CA_BENCH_C) {
        ca_buf_printf(b, "  plain C: %s included into a pthread/fork harness, built with %s -O2\n",
                      r->source ? r->source : "?", r->compiler);
    } else {
        if (r->kind == CA_BENCH_PYTHON_SOURCE)
            ca_buf_printf(b, "  Python extension %s built from %s with %s -O2\n", r->module ? r->module : "?",
                          r->source ? r->source : "?", r->compiler);
        else
            ca_buf_printf(b, "  Python module %s\n", r->module ? r->module : "?");
        if (r->python_version)
            ca_buf_printf(b, "  Python %s (%s)%s%s\n", r->python_version,
                          r->python_executable ? r->python_executable : "?",
                          r->start_method ? ", worker processes started with " : "",
                          r->start_method ? r->start_method : "");
    }
    machine_line(b, &r->machine);
    if (r->failure != CA_BENCH_F_NONE) {
        ca_buf_printf(b, "  failed (%s):\n", ca_bench_failure_str(r->failure));
        indented(b, r->failure_message, "    ");
    }
    if (r->nrep > 0) {
        ca_buf_printf(b, "  %u workers, %ld calls per run (%s), %zu repeats; seconds per run: min, median, max\n",
                      r->workers, r->calls,
                      r->calibrated ? "calibrated to about 0.2 s of serial work" : "as given", r->nrep);
        row(b, "serial", r->s_serial, NAN);
        row(b, "threads", r->s_threads, r->speedup_threads);
        row(b, "processes", r->s_procs, r->speedup_procs);
        if (!isnan(r->thread_startup) || !isnan(r->proc_startup)) {
            ca_buf_puts(b, "  start-up, measured apart and not in the runs: threads ");
            ms(b, r->thread_startup);
            ca_buf_puts(b, ", processes ");
            ms(b, r->proc_startup);
            ca_buf_putc(b, '\n');
        }
    }
    if (!isnan(r->call_wall) && r->call_wall > 0) {
        double share = r->call_cpu / r->call_wall;
        ca_buf_puts(b, "  one call: ");
        ms(b, r->call_wall);
        ca_buf_puts(b, " wall, ");
        ms(b, r->call_cpu);
        ca_buf_printf(b, " CPU (%.0f%%: %s)\n", 100 * share,
                      share >= 0.8 ? "it computes" : share <= 0.3 ? "it mostly waits" : "it computes part of the time");
    }
    if (r->kind != CA_BENCH_C && r->nrep > 0) {
        if (isnan(r->gil_share)) {
            ca_buf_puts(b, "  GIL probe: not measured (a call shorter than ");
            ms(b, CA_BENCH_PROBE_MIN);
            ca_buf_puts(b, " is mostly GIL hand-over)\n");
        } else {
            /* The counter needs a free core: on a busy machine a low share proves nothing. */
            ca_buf_printf(b, "  GIL probe: a Python counter thread ran at %.0f%% of its idle speed during a call: %s\n",
                          100 * r->gil_share,
                          r->machine.busy                    ? "not conclusive on a busy machine"
                          : r->gil_share < CA_BENCH_GIL_HELD ? "the call holds the GIL"
                          : r->gil_share > CA_BENCH_GIL_FREE ? "the call releases the GIL"
                                                             : "the call holds the GIL part of the time");
        }
    }
    if (!isnan(r->win) && r->win != CA_BENCH_WIN)
        ca_buf_printf(b, "  thresholds scaled to the parallel capacity: a mode wins at %.2fx, is flat under %.2fx "
                         "(%.1fx and %.1fx on a machine that computes twice as fast with two workers)\n",
                      r->win, r->flat, CA_BENCH_WIN, CA_BENCH_FLAT);
    ca_buf_printf(b, "  verdict: %s: %s\n", ca_bench_verdict_str(r->verdict), r->verdict_reason ? r->verdict_reason : "");
    if (r->agreement != CA_BENCH_A_NOT_ASKED)
        ca_buf_printf(b, "  expected %s: %s: %s\n", ca_bench_rec_str(r->expect), ca_bench_agreement_str(r->agreement),
                      r->agreement_reason ? r->agreement_reason : "");
    if (r->temp_dir) ca_buf_printf(b, "  build directory kept: %s\n", r->temp_dir);
}
