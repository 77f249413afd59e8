/* front_fixture.h: what the tests that parse real C share (test_front, test_facts_io): one front
 * end for the whole group, the -I flag of the system's Python headers, and the facts as
 * --dump-facts text.  Compiled only into the tests that link ca_front. */
#ifndef CA_FRONT_FIXTURE_H
#define CA_FRONT_FIXTURE_H

#include "front.h"

struct fixture {
    struct ca_front *fe;
    char pyflag[300]; /* "-I/usr/include/python3.X", or "" when those headers are missing */
};

/* cmocka group setup and teardown: *state is the struct fixture; teardown also removes the
 * temporary files of testutil.h. */
int front_fixture_setup(void **state);
int front_fixture_teardown(void **state);

/* ca_facts_dump of f as a heap string (free()). */
char *facts_dump_text(const struct ca_tu_facts *f);

#endif
