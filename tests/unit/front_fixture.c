/* front_fixture.c: see front_fixture.h. */
#include "front_fixture.h"

#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

int front_fixture_setup(void **state)
{
    static struct fixture fx;
    glob_t g;
    memset(&fx, 0, sizeof fx);
    if (ca_front_new(&fx.fe) != CA_OK) return -1;
    if (glob("/usr/include/python3.*/Python.h", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
        size_t n = strlen(g.gl_pathv[0]) - strlen("/Python.h");
        snprintf(fx.pyflag, sizeof fx.pyflag, "-I%.*s", (int)n, g.gl_pathv[0]);
    }
    globfree(&g);
    *state = &fx;
    return 0;
}

int front_fixture_teardown(void **state)
{
    struct fixture *fx = *state;
    ca_front_free(fx->fe);
    tu_cleanup();
    return 0;
}

char *facts_dump_text(const struct ca_tu_facts *f)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ca_facts_dump(out, f);
    fclose(out);
    return text;
}
