/* engine_pch.h: precompiled preambles for the engine (private to engine*.c).  Files whose
 * preambles have the same key (preamble.h) and the same arguments form a group; the first worker
 * that has to parse a member builds the group's PCH (or finds it in the cache directory, still
 * valid), the others wait for it, and every member is parsed with it.  The front end falls back
 * to a plain parse whenever the PCH does not fit. */
#ifndef CA_ENGINE_PCH_H
#define CA_ENGINE_PCH_H

#include <pthread.h>
#include <stdbool.h>

#include "ca_hash.h"
#include "front.h"
#include "inputs.h"

enum pch_state { PCH_NONE, PCH_BUILDING, PCH_READY, PCH_FAILED };

struct pch_group {
    struct ca_hash key;
    unsigned members;          /* inputs of the run in the group */
    enum pch_state state;
    struct ca_pch_info info;
    char *pch;                 /* path of the .pch */
};

struct pch_set {
    char *dir;                 /* where the files live (DIR/pch of the cache, or a temporary one) */
    bool persistent;           /* in the cache directory: kept, with a .meta, for later runs */
    bool made_tmp;             /* dir is a temporary directory of this run: removed by fini */
    bool no_dir;               /* no temporary directory could be made: no PCH this run */
    struct pch_group *groups;
    size_t ngroups, cap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned built, loaded;    /* statistics */
};

/* cache_dir: the cache's directory, or NULL (then the PCHs go to a temporary directory, made
 * when the first one is built). */
CA_MUST_USE enum ca_status pch_set_init(struct pch_set *s, const char *cache_dir);
void pch_set_fini(struct pch_set *s);

/* The group of `in` whose text is text[0, len): its index via *group, or UINT32_MAX when the file
 * has no preamble.  Not thread-safe (the engine calls it before starting the workers). */
CA_MUST_USE enum ca_status pch_set_add(struct pch_set *s, const struct ca_input *in, const char *text, size_t len,
                                       const char *tool_id, uint32_t *group);

/* The group's PCH, built or loaded by this call when no other worker did it first (then it waits
 * for that one).  NULL when it cannot be had.  `text` holds the preamble of a member. */
const struct pch_group *pch_set_get(struct pch_set *s, uint32_t group, struct ca_front *fe, const struct ca_input *in,
                                    const char *text, size_t len);

#endif
