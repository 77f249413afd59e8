/* facts_io.h: translation-unit facts to bytes and back, for the result cache and for sharding.
 * A record holds every field of one struct ca_tu_facts (deps included).  Records are
 * self-delimiting, so several can be concatenated in one file.  No files are touched here: the
 * caller reads and writes the bytes.  Pure functions of their arguments: thread-safe.
 *
 * Format (all integers little-endian, fixed width):
 *   header   "CAFACTS\0", u32 CA_FACTS_IO_VERSION, u64 payload length,
 *            u64 ca_facts_checksum(payload)                                  (28 bytes)
 *   payload  strings: u32 count, then per string u32 length, the bytes, a NUL (no NUL inside);
 *                     each distinct string once.  A string field is a u32 id: 0 is NULL,
 *                     k >= 1 the k-th string (so NULL and "" differ)
 *            tu:      str path, u32 status, u8 python, u8 ft_declared
 *            arrays:  funcs, loops, calls, macros, writes, fnrefs, ir, diags, globals,
 *                     included_c, deps (the order of facts.h), each a u32 count followed by
 *                     fixed-size records holding the struct's fields in declaration order:
 *                     u32 for indices, counts, enums and flags, i64 for trip, u8 for bools,
 *                     u32 line + u32 col for a ca_loc, a string id for a string.
 * Besides bounds and checksum, the reader checks what the analysis relies on: the payload is
 * used up to its last byte, bools are 0 or 1, enums in range, flags known, strings NUL-free, every
 * index in range (CA_NONE where facts.h allows it; a loop's parent comes before it), and the IR
 * is a forest: no cycle, no node with two parents, no function root that is also a child or
 * another function's root.  It does not insist on the writer's canonical form (a repeated or
 * unused string is accepted). */
#ifndef CA_FACTS_IO_H
#define CA_FACTS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

#define CA_FACTS_IO_VERSION 3 /* bump on any change of the byte layout or of what a value may mean */

/* Appends one TU's facts to `out` as one record.  Writes what it is given (it does not validate:
 * facts the reader would reject stay rejected).  Returns CA_ERR_NOMEM on allocation failure, with
 * out->failed set (out then holds a partial record). */
CA_MUST_USE enum ca_status ca_facts_write(const struct ca_tu_facts *f, struct ca_buf *out);

/* Reads one record from data[0, len) into *out (initialised here; the caller fini's it, also on
 * failure).  *used gets the record's size (0 on failure), so that concatenated records can be
 * read one after another.  Strings go to out's arena in one block; each array is allocated once.
 * Returns CA_ERR_PARSE for anything malformed (wrong magic or version, truncated, checksum
 * mismatch, invalid content as listed above), CA_ERR_NOMEM on allocation failure.  Never reads
 * outside data[0, len), whatever the bytes. */
CA_MUST_USE enum ca_status ca_facts_read(const void *data, size_t len, struct ca_tu_facts *out, size_t *used);

/* The payload checksum: FNV-1a 64 over 64-bit little-endian words in four interleaved lanes
 * (the last word zero-padded), the lanes folded, then the length.  Not cryptographic; any change
 * to one word changes it.  Exposed for tests that craft records. */
uint64_t ca_facts_checksum(const void *data, size_t len);

#endif
