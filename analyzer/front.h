/* front.h: the front end, the only module that touches libclang.  It parses one translation unit
 * and turns it into facts (facts.h).  It does not judge anything: no catalogs, no GIL logic.
 * One struct ca_front per worker thread (it owns a CXIndex); different ca_front objects may be
 * used concurrently from different threads. */
#ifndef CA_FRONT_H
#define CA_FRONT_H

#include <stddef.h>

#include "facts.h"

struct ca_front;

struct ca_front_input {
    const char *path;           /* file to parse (a real path) */
    const char *display;        /* path shown to the user and stored in facts->path */
    const char *const *args;    /* compiler arguments without the compiler, -c, -o and the file */
    size_t nargs;
    const char *unsaved;        /* optional: editor buffer that replaces the file's contents */
    size_t unsaved_len;
};

CA_MUST_USE enum ca_status ca_front_new(struct ca_front **out);
void ca_front_free(struct ca_front *fe);

/* Parse one file and extract its facts into *out (initialised here; the caller fini's it, also on
 * failure).  A file that does not exist or has clang errors is not a failure of this call: it
 * returns CA_OK with out->status set and clang's error messages in out->diags (its functions are
 * not extracted then, because a partial AST would give wrong answers).  Returns CA_ERR_NOMEM or
 * CA_ERR_INTERNAL only for concadvise's own failures. */
CA_MUST_USE enum ca_status ca_front_parse(struct ca_front *fe, const struct ca_front_input *in,
                                          struct ca_tu_facts *out);

/* libclang's version string (heap, caller frees with ca_free). */
char *ca_front_clang_version(void);

#endif
