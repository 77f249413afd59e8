/* config.h: the project configuration file, .concadvise.json (docs/cli.md, "Configuration file").
 * Finds it by walking up from a start directory, reads it with positions (every error names
 * FILE:LINE:COL and the key), checks it against its schema, and answers the questions the run
 * asks of it: is this input selected (include/exclude globs), what severity does this rule get.
 * It names user catalogs but does not load them (the CLI does, with ca_rules_load_extra); it
 * never prints or exits.
 *
 * Ownership: a struct ca_config owns everything it points to (one arena); fini releases it.
 * Thread-safety: a loaded config is read-only; the query functions may run concurrently. */
#ifndef CA_CONFIG_H
#define CA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ca_base.h"
#include "results.h"
#include "rules.h"

#define CA_CONFIG_FILENAME ".concadvise.json"

/* A "severity" value that removes the rule's findings. */
#define CA_CONFIG_SEV_OFF (-1)
/* fail_on values beyond the severities (enum ca_severity is 0..2). */
#define CA_CONFIG_FAIL_UNSET (-1)
#define CA_CONFIG_FAIL_NEVER 3

/* One "severity" member: rule id -> severity. */
struct ca_config_severity {
    const char *rule;
    int severity;       /* enum ca_severity, or CA_CONFIG_SEV_OFF */
    uint32_t line, col; /* of the key, for the error about an unknown rule id */
};

struct ca_config {
    const char *path;                                /* the file as found or given */
    const char *dir;                                 /* its directory, absolute */
    const char *const *include; size_t ninclude;     /* glob patterns (see ca_config_glob_match) */
    const char *const *exclude; size_t nexclude;
    const char *const *catalogs; size_t ncatalogs;   /* user catalog paths, resolved against dir */
    struct ca_config_severity *severity; size_t nseverity;
    int fail_on;                                     /* CA_CONFIG_FAIL_UNSET, a severity, or _NEVER */
    const char *python_include;                      /* resolved against dir; NULL when absent */
    const char *const *extra_args; size_t nextra;    /* verbatim */
    bool has_bench;                                  /* a "bench" array (read by --bench, docs/bench.md) */
    struct ca_arena arena;
};

/* A problem with the file: where and what; owned strings (free with _fini). */
struct ca_config_error {
    char *file;
    uint32_t line, col; /* 0 when not applicable (the file cannot be read) */
    char *message;
};
void ca_config_error_fini(struct ca_config_error *e);

void ca_config_init(struct ca_config *c);
void ca_config_fini(struct ca_config *c); /* NULL-safe; c may be init'ed again */

/* Look for CA_CONFIG_FILENAME in `start` (a file: its directory; a path that does not exist:
 * its nearest existing ancestor; NULL: the current directory) and then in each parent up to the
 * filesystem root.  *out is the path found (heap, caller frees with ca_free) or NULL when there
 * is none.  Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_config_find(const char *start, char **out);

/* Read and check the file at `path` into *c (initialised by the caller; left empty on failure).
 * CA_ERR_IO: cannot be read; CA_ERR_PARSE: not JSON; CA_ERR_CONFIG: an unknown key, a wrong
 * type or a bad value; *err says where (when err is not NULL). */
CA_MUST_USE enum ca_status ca_config_load(const char *path, struct ca_config *c, struct ca_config_error *err);
/* The same over text already in memory (`path` names it in errors and anchors relative paths). */
CA_MUST_USE enum ca_status ca_config_parse(const char *path, const char *text, size_t len, struct ca_config *c,
                                           struct ca_config_error *err);

/* Every rule id under "severity" must be a rule of `r`: CA_ERR_CONFIG naming the first unknown
 * one at its key's position otherwise. */
CA_MUST_USE enum ca_status ca_config_check_rules(const struct ca_config *c, const struct ca_rules *r,
                                                 struct ca_config_error *err);

/* Glob match of a whole '/'-separated path: `*` any run of characters but '/', `?` one character
 * but '/', `[abc]` / `[a-z]` / `[!a]` a class, `**` any run including '/' (and `**` followed by
 * '/' also nothing at all, so that "**" + "/x.c" matches "x.c"), `\` quotes the next character. */
bool ca_config_glob_match(const char *pattern, const char *path);

/* Is the input shown as `display` selected?  A pattern matches when it matches the path or one
 * of its leading directories ("vendor" excludes "vendor/zlib/inflate.c"); a pattern without '/'
 * matches at any depth, as in .gitignore.  Each pattern is tried against the display path
 * (without a leading "./") and, when the file lies below the config file's directory, against
 * the path relative to that directory.  Selected: no include pattern or some include pattern
 * matches, and no exclude pattern matches (exclude wins).  A NULL config selects everything. */
bool ca_config_selects(const struct ca_config *c, const char *display);

/* The severity the config gives `rule`: 1 and *sev set (a severity or CA_CONFIG_SEV_OFF) when
 * it names it, else 0. */
int ca_config_rule_severity(const struct ca_config *c, const char *rule, int *sev);

/* Apply the "severity" overrides to r's diagnostics: change their severity, and remove those of
 * rules set to "off" (keeping the order).  *removed counts the removals (may be NULL). */
void ca_config_apply_severity(const struct ca_config *c, struct ca_results *r, uint32_t *removed);

#endif
