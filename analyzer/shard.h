/* shard.h: the facts of a share of the translation units, so that a run can be split across
 * machines.  `--shard K/N` parses the inputs whose index i (in the sorted list of selected
 * inputs) has i % N == K - 1 and writes their facts; `concadvise merge` reads the N files, checks
 * that they belong together, puts every TU back at its index and runs the whole-program phase as
 * one run over everything would (docs/scaling.md).  Reads and checks bytes; no file I/O. */
#ifndef CA_SHARD_H
#define CA_SHARD_H

#include <stdbool.h>

#include "ca_hash.h"
#include "facts.h"

/* What identifies the run a shard belongs to. */
struct ca_shard_run {
    const char *tool_id;       /* the front end's identity (facts of another build do not mix) */
    uint32_t n;                /* number of shards */
    uint32_t ninputs;          /* inputs of the whole run */
    struct ca_hash inputs;     /* hash of their display paths, in order */
};

/* "K/N" with 1 <= K <= N <= 100000. */
bool ca_shard_parse_spec(const char *s, uint32_t *k, uint32_t *n);

/* Hash of the display paths, in order (struct ca_shard_run.inputs). */
struct ca_hash ca_shard_inputs_hash(const char *const *display, size_t n);

/* Appends shard k of run `r`: the TUs tus[0, ntus), which are inputs index[0, ntus) of the run. */
CA_MUST_USE enum ca_status ca_shard_write(const struct ca_shard_run *r, uint32_t k, const uint32_t *index,
                                          const struct ca_tu_facts *tus, uint32_t ntus, struct ca_buf *out);

/* Joins shard files.  add() reads one file's bytes (`name` for messages); finish() checks that
 * shards 1..N are all there.  On CA_ERR_PARSE (not a shard file, corrupt, another tool build, a
 * shard of another run, a shard twice, a missing shard), *why (heap) says which and why. */
struct ca_shard_set {
    bool started;
    char *tool_id;
    uint32_t n, ninputs;
    struct ca_hash inputs;
    bool *seen;                /* [n] */
    struct ca_tu_facts *tus;   /* [ninputs], in the run's order */
    bool *have;                /* [ninputs] */
};
void ca_shard_set_init(struct ca_shard_set *s);
void ca_shard_set_fini(struct ca_shard_set *s);
CA_MUST_USE enum ca_status ca_shard_set_add(struct ca_shard_set *s, const char *name, const char *data, size_t len,
                                            char **why);
CA_MUST_USE enum ca_status ca_shard_set_finish(struct ca_shard_set *s, char **why);

#endif
