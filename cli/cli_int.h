/* cli_int.h: what the files of cli/ share (private to the command-line program): the options,
 * the state of one run, the exit statuses, and the helpers the run, the shards, the run cache
 * and the server all use.  Nothing outside cli/ includes it. */
#ifndef CA_CLI_INT_H
#define CA_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "cache.h"
#include "config.h"
#include "engine.h"
#include "report.h"
#include "suppress.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INPUTS = 3 };

enum format { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_HTML };

/* What the command line asked for; read-only once parsed. */
struct cli {
    enum format format;
    const char *output;
    bool all, quiet, list_rules, dump_facts;
    uint32_t top;
    unsigned jobs;
    const char *compdb, *python_include, *rules_dir, *explain;
    bool no_compdb;
    int fail_on;      /* severity index, CA_CONFIG_FAIL_NEVER, or CA_CONFIG_FAIL_UNSET */
    int color;        /* -1 auto, 0 never, 1 always */
    const char *config;
    bool no_config;
    const char *baseline, *write_baseline, *stdin_filename;
    const char *profile;
    bool bench;
    const char *cache_dir;
    bool no_cache, no_pch, stats;
    uint64_t cache_max;           /* --cache-max-size in bytes; 0: no limit */
    bool cache_max_given;         /* prune even when the run adds nothing */
    uint32_t shard_k, shard_n; /* --shard K/N; 0: not sharded */
    bool merge;                /* `concadvise merge`: paths are shard files */
    bool serve;                /* `concadvise serve`: requests on standard input */
    const char *buffer;        /* serve: the request's text for stdin_filename (else read stdin) */
    size_t buffer_len;
    bool have_buffer;
    struct ca_buf *capture;    /* serve: the report goes here instead of --output or stdout */
    const char **extra; size_t nextra;
    const char **catalogs; size_t ncatalogs;
    const char **paths; size_t npaths;
};

/* Source texts: for suppressions and the HTML report.  Each file is read once. */
struct sources {
    struct ca_source *v;
    char **owned; /* v[i].text when we read it, else NULL (the editor buffer is borrowed) */
    size_t n, cap, cap2;
};

/* One run of the pipeline. */
struct run {
    const struct cli *c;
    struct ca_rules *rules;
    struct ca_config cfg;
    bool have_cfg;
    struct ca_baseline baseline;
    struct ca_input_list inputs;    /* as collected */
    struct ca_input_list selected;  /* a view: the inputs the configuration selects (borrowed) */
    struct ca_tu_facts *tus;
    size_t ntus;                    /* selected.n, or the merged shards' inputs */
    struct ca_cache *cache;
    struct ca_engine_stats es;
    struct ca_cache_prune_stats pruned; /* when prune_ran */
    bool prune_ran;
    const char *rules_dir;          /* where the rules were read from */
    char *tool_id;                  /* cli_tool_id(), once per run */
    int64_t started_ns;             /* before anything was read: later changes are not cached */
    struct ca_results res;
    struct sources src;
    struct ca_suppressions sup;
    char *buffer; size_t buffer_len; /* --stdin-filename */
    const char **extra; size_t nextra; /* config extra-args, then --extra-arg */
    int fail_on;
    uint32_t suppressed, baselined;
};

/* The whole pipeline for one command line (cli.c); returns the exit status. */
int cli_run(const struct cli *c);
/* The report: into c->capture (serve), else to --output or stdout.  0 on failure (said on stderr). */
int cli_emit(const struct cli *c, const char *data, size_t len);
int cli_write_out(const char *path, const char *data, size_t len);
/* The identity of this build's front end and of libclang, for cache entries, precompiled
 * preambles, shard files and whole runs (heap; a run keeps it in run.tool_id). */
char *cli_tool_id(void);
double cli_now(void);
/* Colour in the text report: --color, else a terminal without NO_COLOR and not TERM=dumb. */
bool cli_use_color(const struct cli *c);

/* shards.c: --shard K/N (an exit status); merge (-1 to go on, or an exit status). */
int cli_shard_write(struct run *rn, const struct ca_engine_options *eo);
int cli_shard_read(struct run *rn);

/* runcache.c */
bool cli_run_cacheable(const struct cli *c);
CA_MUST_USE enum ca_status cli_run_key(const struct run *rn, struct ca_hash *key);
/* -1: no replay (go on); else the exit status of the replayed run. */
int cli_run_replay(struct run *rn, struct ca_hash key, double t_start);
void cli_run_store(struct run *rn, struct ca_hash key, int rc, const struct ca_buf *err, const struct ca_buf *out);

/* serve.c */
int cli_serve(const struct cli *base);

#endif
