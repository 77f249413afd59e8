/* testutil.h: small helpers shared by the cmocka unit tests. */
#ifndef CA_TESTUTIL_H
#define CA_TESTUTIL_H

#include <stddef.h>

/* Write `text` to a fresh file under a per-process temporary directory and return its path
 * (static storage per call index is NOT used: the returned string is heap, free with free()). */
char *tu_write_temp(const char *name, const char *text);
/* Remove the per-process temporary directory and everything in it. */
void tu_cleanup(void);
/* A cmocka group teardown that only does tu_cleanup. */
int tu_group_teardown(void **state);
/* Path of the repository's rules/ directory. */
const char *tu_rules_dir(void);

#endif
