/* cache.h: a directory of facts computed earlier, so that a re-run parses only what changed.
 * An entry holds one translation unit's facts under a key made of the front end's identity (a
 * hash of its sources, and libclang's version), the file's display and real paths, its compile
 * arguments and its contents.  It stays valid while every other file the TU read (facts.deps)
 * has the size and modification time recorded, or else still the same contents; a change to a
 * header therefore re-parses exactly the files that include it.  The rules are not part of the
 * key: facts do not depend on them (the front end consults no catalog), and the whole-program
 * analysis, which does, always runs again.
 * Writes go to a temporary file that is renamed into place, so a reader never sees half an entry
 * and several runs may share a directory; an entry that does not read back (truncated, corrupt,
 * another format) is a miss, and the parse that follows rewrites it.  Thread-safe. */
#ifndef CA_CACHE_H
#define CA_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "ca_hash.h"
#include "facts.h"

struct ca_cache;

/* Opens DIR, creating it (with a CACHEDIR.TAG and a .gitignore that ignores everything) when it
 * does not exist.  `tool_id` identifies the code that produces facts; entries of another id are
 * never used.  On CA_ERR_IO, *why (heap) says what failed. */
CA_MUST_USE enum ca_status ca_cache_open(const char *dir, const char *tool_id, struct ca_cache **out, char **why);
void ca_cache_free(struct ca_cache *c);
const char *ca_cache_dir(const struct ca_cache *c); /* borrowed */

/* The key of one TU's facts: `text` is the main file's contents as they will be parsed. */
struct ca_hash ca_cache_key(const struct ca_cache *c, const char *display, const char *path,
                            const char *const *args, size_t nargs, const char *text, size_t len);

/* Looks the key up.  CA_OK with *hit false on a miss (no entry, unreadable, or a dep changed);
 * on a hit *out holds the facts (initialised here either way; the caller fini's it). */
CA_MUST_USE enum ca_status ca_cache_get(struct ca_cache *c, struct ca_hash key, struct ca_tu_facts *out, bool *hit);

/* Stores facts under key.  Best effort: a failed write is only counted (ca_cache_stats).  Not
 * stored when the main file (`path`) or a dep was modified at or after `started_ns` (CLOCK_REALTIME,
 * taken before the parse): the facts may describe an older text than the one on disk. */
CA_MUST_USE enum ca_status ca_cache_put(struct ca_cache *c, struct ca_hash key, const char *path,
                                        const struct ca_tu_facts *f, int64_t started_ns);

/* Whole runs: `blob` (whatever the caller wants back: a report, an exit status) stored under a
 * key the caller computes from everything the run depended on besides files, and valid while
 * files[0, nfiles) are unchanged (size and time, else contents).  Not stored when one of them
 * was modified at or after started_ns, or cannot be read.  get_run: *blob (heap, NUL-terminated)
 * on a hit; a missing, corrupt (the entry has a hash of itself) or stale entry is a miss. */
CA_MUST_USE enum ca_status ca_cache_put_run(struct ca_cache *c, struct ca_hash key, const char *const *files,
                                            size_t nfiles, const void *blob, size_t len, int64_t started_ns);
CA_MUST_USE enum ca_status ca_cache_get_run(struct ca_cache *c, struct ca_hash key, char **blob, size_t *len, bool *hit);

struct ca_cache_stats {
    unsigned hits, misses, stored, write_errors, stale; /* stale: entries found but invalidated */
};
void ca_cache_stats(struct ca_cache *c, struct ca_cache_stats *out);

/* Marks a file of the cache as just used (its modification time), for ca_cache_prune.  Hits of
 * ca_cache_get do it themselves; the PCH code calls it for the PCHs it reuses.  Best effort. */
void ca_cache_touch(const char *path);

/* Keeps the facts entries and the PCHs (DIR/pch: KEY.h, KEY.pch and KEY.meta, removed together)
 * under `max_bytes` in all (0: no limit): when they are over it, removes the least recently used
 * (written or hit) down to 80% of it, but nothing used at or after `keep_after_ns` (CLOCK_REALTIME
 * ns: this run, and others that may share the directory).  Whole-run reports are kept apart (the
 * 16 newest).  Safe with concurrent runs: a removed entry is a miss, a removed PCH a plain parse. */
struct ca_cache_prune_stats {
    uint64_t bytes_before, bytes_after;
    unsigned removed; /* entries and PCH groups */
};
CA_MUST_USE enum ca_status ca_cache_prune(struct ca_cache *c, uint64_t max_bytes, int64_t keep_after_ns,
                                          struct ca_cache_prune_stats *out);

/* The identity of the code that produces facts (a hash of its sources, generated at build time);
 * callers add libclang's version to make the tool_id of ca_cache_open and of shard files. */
const char *ca_front_id(void);

/* Nanoseconds since the epoch (CLOCK_REALTIME), for ca_cache_put's started_ns. */
int64_t ca_cache_now_ns(void);

#endif
