/* inputs.h: from what the user named to a list of translation units with compile arguments.
 * Walks directories, reads compile_commands.json (given with -p or discovered), and synthesises
 * flags for files the database does not cover.  Never executes a compile command. */
#ifndef CA_INPUTS_H
#define CA_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ca_base.h"

struct ca_input {
    char *path;         /* path to open: as given when it exists relative to the cwd, else absolute */
    char *display;      /* path as the user gave it (or as the compile database names it) */
    char **args;        /* compiler arguments (no compiler, -c, -o X, or the file itself) */
    size_t nargs;
    bool from_compdb;   /* args come from compile_commands.json */
    bool missing;       /* named by the user (or the database) but does not exist */
};

struct ca_input_list {
    struct ca_input *items;
    size_t n, cap;
    char *compdb_path;      /* the database used, or NULL */
    char *python_include;   /* the Python include directory used, or NULL when none was found */
};

struct ca_inputs_options {
    const char *const *paths; size_t npaths;    /* files and directories (may be empty with -p) */
    const char *compdb_dir;                      /* -p DIR (or a path to the .json); NULL: discover */
    bool no_discovery;                           /* do not look for compile_commands.json */
    const char *python_include;                  /* --python-include DIR; NULL: find it */
    const char *const *extra_args; size_t nextra;/* --extra-arg, appended to every file */
};

/* A configuration error (bad compile database) with its position, owned strings. */
struct ca_inputs_error {
    char *file;
    unsigned line, col;
    char *message;
};
void ca_inputs_error_fini(struct ca_inputs_error *e);

/* Collect the translation units.  Sorted by display path, no duplicates (same real path once).
 * Returns CA_ERR_CONFIG / CA_ERR_PARSE with *err filled for a broken compile database,
 * CA_ERR_NOMEM on allocation failure.  Missing paths are not errors: they come back as items
 * with missing=true so the run reports them and goes on. */
CA_MUST_USE enum ca_status ca_inputs_collect(const struct ca_inputs_options *opt, struct ca_input_list *out,
                                             struct ca_inputs_error *err);
void ca_input_list_fini(struct ca_input_list *l);

/* The header search directories in in->args (-I, -iquote, -isystem, -idirafter; joined or as the
 * next argument), in order: fn(dir, ctx) for each. */
void ca_input_include_dirs(const struct ca_input *in, void (*fn)(const char *dir, void *ctx), void *ctx);

#endif
