/* front.h: the front end, the only module that touches libclang.  It parses one translation unit
 * and turns it into facts (facts.h).  It does not judge anything: no catalogs, no GIL logic.
 * It can also precompile a file's preamble (preamble.h: the lines up to #include <Python.h>)
 * and parse files with it; it does not decide which files share a precompiled header, where
 * such files live, or when to rebuild them (the engine does).
 * One struct ca_front per worker thread (it owns a CXIndex); different ca_front objects may be
 * used concurrently from different threads. */
#ifndef CA_FRONT_H
#define CA_FRONT_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"

struct ca_front;

/* What a precompiled preamble stands for; the front end cannot see through a PCH which files it
 * read or where Python.h came from.  Filled by ca_front_build_pch; every pointer is heap
 * (ca_malloc), released by ca_pch_info_fini.  A caller that stores it elsewhere must keep every
 * field, dep_python included. */
struct ca_pch_info {
    char *preamble; size_t len;   /* the preamble text it was built from (NUL-terminated too) */
    char **args; size_t nargs;    /* the arguments it was built with: a parse with others does not
                                     use it (clang does not notice that a -D differs) */
    bool python;                  /* it includes Python.h */
    char *pydir;                  /* directory of that Python.h as clang spelled it, with its '/'
                                     ("/usr/include/python3.11/", "Include/"); NULL if none */
    char *pyreal;                 /* the same, real path (clang_File_tryGetRealPathName) */
    char **deps; size_t ndeps;    /* every file it read, real paths, sorted and unique (as
                                     facts->deps; the header it was built from is not one) */
    bool *dep_python;             /* parallel to deps: clang spelled the file under pydir.  A
                                     declaration read from a PCH has its file named by absolute
                                     path, not as it was spelled, so "declared by Python"
                                     (CA_CALL_PYDECL) is decided here, at the build, by the rule
                                     of a plain parse */
    struct ca_dep_stamp {
        unsigned long long dev, ino;  /* identity ({0, 0}: unknown) */
        long long size, mtime_ns;     /* state when the PCH was built (size -1: unknown) */
    } *dep_stamps;                /* parallel to deps.  A file read through a PCH is known to
                                     clang by the name the PCH stored, which is not always the
                                     real path of a plain parse (a symbolic link on the way: the
                                     compiler's own stddef.h), so the parse finds it by identity.
                                     And clang checks that a PCH's headers did not change only
                                     for the headers that are not system headers (-isystem,
                                     /usr/include): the parse checks them all against these */
};
/* Releases what *pi holds and zeroes it; pi may be NULL or zeroed. */
void ca_pch_info_fini(struct ca_pch_info *pi);

struct ca_front_input {
    const char *path;           /* file to parse (a real path) */
    const char *display;        /* path shown to the user and stored in facts->path */
    const char *const *args;    /* compiler arguments without the compiler, -c, -o and the file */
    size_t nargs;
    const char *unsaved;        /* optional: editor buffer that replaces the file's contents */
    size_t unsaved_len;
    const char *pch;            /* optional: a PCH of this file's preamble (ca_front_build_pch,
                                   with the same args); NULL: a plain parse */
    const struct ca_pch_info *pch_info; /* what pch stands for; required with pch (borrowed) */
    bool *pch_used;             /* optional out: set to true when the facts come from the parse
                                   with pch, false when they come from a plain parse */
};

CA_MUST_USE enum ca_status ca_front_new(struct ca_front **out);
void ca_front_free(struct ca_front *fe);

/* Parse one file and extract its facts into *out (initialised here; the caller fini's it, also on
 * failure).  A file that does not exist or has clang errors is not a failure of this call: it
 * returns CA_OK with out->status set and clang's error messages in out->diags (its functions are
 * not extracted then, because a partial AST would give wrong answers).  Returns CA_ERR_NOMEM or
 * CA_ERR_INTERNAL only for concadvise's own failures.
 *
 * With in->pch the facts are those of a plain parse, only faster.  The file's preamble
 * (ca_preamble_len of its text: in->unsaved, else read from in->path) must be pch_info->preamble
 * or have the same key (ca_preamble_key: the same directives, other comments or spacing); its
 * bytes are blanked (every byte but '\n' becomes a space, so lines and columns stay) and the
 * rest is parsed after the PCH ("-include-pch").  Python, the Python directory and the deps of
 * the preamble come from pch_info; the text scans (ft_declared, the lexing of for headers and
 * operators) read the file's own text.  Any doubt gives a plain parse (*in->pch_used false):
 * another preamble; other args than the build's (compared as strings); args with -include,
 * -imacros, -include-pch or -Xclang of their own; a Python.h next to the file (a quoted include
 * would find that one); a .c file or a possible project header among the PCH's deps (a plain
 * parse would extract their definitions); a header the PCH read that changed since the build
 * (one stat per dep: size, time, identity); any clang error with the PCH (missing, corrupt or
 * stale file, an error of the file itself). */
CA_MUST_USE enum ca_status ca_front_parse(struct ca_front *fe, const struct ca_front_input *in,
                                          struct ca_tu_facts *out);

/* Builds a PCH of `preamble` (`len` bytes, a whole preamble: ca_preamble_len(preamble, len) ==
 * len) for files compiled with args (the same args, in the same order, as the files' parses):
 * writes the text to header_path (atomically: a temporary file renamed), parses it as a C
 * header (args + "-x c-header", from the text in memory, so that rewriting header_path later
 * does not make the PCH stale; skipping the bodies of functions, so that those of the static
 * inline functions of system and Python headers are parsed once, here, and never again) and
 * saves it to a temporary name next to pch_path, then renames it to pch_path: concurrent
 * builders of the same PCH, from threads or processes, leave a valid file.  Fills *info
 * (initialised here; the caller fini's it, also on failure).  header_path should be in a
 * directory without a Python.h (a quoted #include "Python.h" looks there first).  The skipped
 * bodies are the one known difference from a plain parse: an error inside the body of a
 * function of the preamble's headers makes a plain parse fail, not a parse with the PCH.
 * Returns CA_ERR_PARSE when clang reports an error or cannot parse (no PCH then),
 * CA_ERR_USAGE when preamble is not a whole preamble, CA_ERR_IO when a file cannot be written,
 * CA_ERR_NOMEM.  Thread-safe with one ca_front per thread. */
CA_MUST_USE enum ca_status ca_front_build_pch(struct ca_front *fe, const char *const *args, size_t nargs,
                                              const char *preamble, size_t len, const char *header_path,
                                              const char *pch_path, struct ca_pch_info *info);

/* libclang's version string (heap, caller frees with ca_free). */
char *ca_front_clang_version(void);

#endif
