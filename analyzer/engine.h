/* engine.h: runs the pipeline: parse every input on a pool of threads (one front end and one
 * CXIndex per worker), then the whole-program analysis on one thread, then a sorted merge.
 * Results do not depend on the number of threads. */
#ifndef CA_ENGINE_H
#define CA_ENGINE_H

#include "cache.h"
#include "facts.h"
#include "inputs.h"
#include "results.h"
#include "rules.h"

struct ca_engine_options {
    unsigned jobs;                 /* worker threads; 0 = the number of online CPUs */
    /* Called from worker threads (serialised by the engine) after each file; may be NULL. */
    void (*progress)(void *ctx, size_t done, size_t total, const char *file);
    void *progress_ctx;
    const char *unsaved_path;      /* editor mode: this input's text comes from `unsaved` */
    const char *unsaved;
    size_t unsaved_len;
    struct ca_cache *cache;        /* facts cache (borrowed), or NULL: parse everything.  The editor
                                      buffer is looked up but never stored (it changes on every key) */
    bool no_pch;                   /* parse Python.h with every file, never through a precompiled
                                      preamble (engine_pch.h) */
    const char *tool_id;           /* the identity of the front end and libclang (as the cache's);
                                      part of the precompiled preambles' keys.  NULL: the front
                                      end's alone */
};

/* What a parse run did (for --stats and tests). */
struct ca_engine_stats {
    unsigned parsed;               /* translation units parsed by libclang */
    unsigned cached;               /* taken from the cache */
    unsigned pch_parsed;           /* parsed with a precompiled preamble (the others: plainly) */
    unsigned pch_built, pch_loaded; /* precompiled preambles built in this run, found in the cache */
    double parse_seconds;          /* wall time of ca_engine_parse */
};

/* Parse every input into tus[i] (same order as inputs->items; caller fini's each and frees the
 * array, also on failure).  Missing inputs and parse errors are statuses inside the facts. */
CA_MUST_USE enum ca_status ca_engine_parse(const struct ca_input_list *inputs, const struct ca_engine_options *o,
                                           struct ca_tu_facts **tus, struct ca_engine_stats *stats);

/* Analyse parsed facts and fill *out (initialised by the caller): one input entry per TU, the
 * loops and diagnostics, sorted. */
CA_MUST_USE enum ca_status ca_engine_analyze(struct ca_tu_facts *tus, uint32_t ntus, const struct ca_rules *rules,
                                             struct ca_results *out);

unsigned ca_engine_default_jobs(void);

/* The places where the headers that the TU `f` (of input `in`) did not find ("'x.h' file not
 * found") would be found if they appeared: next to the file that included each, next to the main
 * file, in the -I, -iquote, -isystem and -idirafter directories of in's arguments, and in the
 * usual system include directories.  Appended to `out` NUL-separated; returns their number.  A
 * cached failure stays valid while ca_engine_all_absent(those paths) holds. */
size_t ca_engine_absent_paths(const struct ca_tu_facts *f, const struct ca_input *in, struct ca_buf *out);
bool ca_engine_all_absent(const char *paths, size_t n);

#endif
