/* testutil.c: temporary files for tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static const char *dir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/ca-test-XXXXXX");
        if (!mkdtemp(tmpdir)) abort();
    }
    return tmpdir;
}

char *tu_write_temp(const char *name, const char *text)
{
    size_t n = strlen(dir()) + strlen(name) + 2;
    char *path = malloc(n);
    FILE *f;
    if (!path) abort();
    snprintf(path, n, "%s/%s", dir(), name);
    f = fopen(path, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
    return path;
}

void tu_cleanup(void)
{
    char cmd[300];
    if (!tmpdir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) { /* best effort */ }
    tmpdir[0] = '\0';
}

const char *tu_rules_dir(void) { return CA_SOURCE_DIR "/rules"; }

int tu_group_teardown(void **state)
{
    (void)state;
    tu_cleanup();
    return 0;
}
