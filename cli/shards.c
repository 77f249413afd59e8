/* shards.c: `--shard K/N` writes the facts of a share of the inputs; `concadvise merge` reads
 * the shard files back into one run (docs/scaling.md; the file format is analyzer/shard.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "shard.h"

/* --shard K/N: parse the inputs whose index is K-1 modulo N and write their facts.  Returns an
 * exit status. */
int cli_shard_write(struct run *rn, const struct ca_engine_options *eo)
{
    const struct cli *c = rn->c;
    struct ca_input_list part = rn->selected;
    struct ca_shard_run sr;
    const char **names = ca_calloc(rn->selected.n + 1, sizeof *names);
    uint32_t *index = ca_calloc(rn->selected.n + 1, sizeof *index);
    struct ca_buf b;
    enum ca_status st = CA_ERR_NOMEM;
    int rc = EXIT_INPUTS;
    ca_buf_init(&b);
    part.items = ca_calloc(rn->selected.n + 1, sizeof *part.items);
    part.n = 0;
    if (!names || !index || !part.items) goto out;
    for (size_t i = 0; i < rn->selected.n; i++) {
        names[i] = rn->selected.items[i].display;
        if (i % c->shard_n == c->shard_k - 1) {
            index[part.n] = (uint32_t)i;
            part.items[part.n++] = rn->selected.items[i];
        }
    }
    sr.tool_id = rn->tool_id;
    sr.n = c->shard_n;
    sr.ninputs = (uint32_t)rn->selected.n;
    sr.inputs = ca_shard_inputs_hash(names, rn->selected.n);
    st = ca_engine_parse(&part, eo, &rn->tus, &rn->es);
    rn->ntus = part.n;
    if (st == CA_OK) st = ca_shard_write(&sr, c->shard_k, index, rn->tus, (uint32_t)part.n, &b);
    if (st == CA_OK) rc = cli_write_out(c->output, b.data, b.len) ? EXIT_CLEAN : EXIT_INPUTS;
out:
    if (st != CA_OK) fprintf(stderr, "concadvise: error: %s\n", ca_status_str(st));
    ca_buf_fini(&b);
    ca_free(part.items);
    ca_free(names);
    ca_free(index);
    return rc;
}

/* `concadvise merge SHARD...`: the facts of every input, back in the run's order.  Returns -1 to
 * go on, or an exit status. */
int cli_shard_read(struct run *rn)
{
    const struct cli *c = rn->c;
    struct ca_shard_set set;
    const char *id = rn->tool_id;
    char *why = NULL;
    enum ca_status st = CA_OK;
    int rc = -1;
    ca_shard_set_init(&set);
    for (size_t i = 0; i < c->npaths && st == CA_OK; i++) {
        char *data = NULL;
        size_t len = 0;
        if ((st = ca_file_read(c->paths[i], &data, &len)) != CA_OK) {
            if (st != CA_ERR_NOMEM) {
                fprintf(stderr, "concadvise: error: cannot read %s: %s\n", c->paths[i], strerror(errno));
                rc = EXIT_USAGE;
            }
            break;
        }
        st = ca_shard_set_add(&set, c->paths[i], data, len, &why);
        ca_free(data);
        if (st == CA_OK && strcmp(set.tool_id, id) != 0) {
            fprintf(stderr, "concadvise: error: %s: written by another concadvise build or libclang (%s); "
                            "this is %s\n", c->paths[i], set.tool_id, id);
            rc = EXIT_USAGE;
            st = CA_ERR_PARSE;
        }
    }
    if (st == CA_OK) st = ca_shard_set_finish(&set, &why);
    if (st != CA_OK && rc < 0) {
        fprintf(stderr, "concadvise: error: %s\n", why ? why : ca_status_str(st));
        rc = st == CA_ERR_NOMEM ? EXIT_INPUTS : EXIT_USAGE;
    }
    if (rc < 0) { /* take the TUs */
        rn->tus = set.tus;
        rn->ntus = set.ninputs;
        set.tus = NULL;
        set.ninputs = 0;
    }
    ca_shard_set_fini(&set);
    ca_free(why);
    return rc;
}
