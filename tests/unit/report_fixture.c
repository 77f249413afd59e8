/* report_fixture.c: see report_fixture.h. */
#include "report_fixture.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"

#define N(a) (uint32_t)(sizeof(a) / sizeof(a)[0])

void fixture_build(struct ca_results *r, const struct fixture_set *s, bool reversed)
{
    uint32_t i;
#define AT(n) (reversed ? (n) - 1 - i : i)
    ca_results_init(r);
    for (i = 0; i < s->ninputs; i++) assert_int_equal(ca_results_add_input(r, &s->inputs[AT(s->ninputs)]), CA_OK);
    for (i = 0; i < s->nloops; i++) assert_int_equal(ca_results_add_loop(r, &s->loops[AT(s->nloops)]), CA_OK);
    for (i = 0; i < s->ndiags; i++) assert_int_equal(ca_results_add_diag(r, &s->diags[AT(s->ndiags)]), CA_OK);
    for (i = 0; i < s->nregions; i++) assert_int_equal(ca_results_add_region(r, &s->regions[AT(s->nregions)]), CA_OK);
#undef AT
    ca_results_sort(r);
    assert_int_equal(ca_results_fingerprint(r), CA_OK);
}

static const char *const fixture_rule_files[][2] = {
    {"advise-release-gil",
         "{\"id\": \"advise-release-gil\", \"name\": \"AdviseReleaseGil\", \"severity\": \"note\",\n"
         " \"title\": \"Release the GIL <here> & *now*\",\n"
         " \"summary\": \"A loop waits with the GIL held: \\\"release\\\" it.\",\n"
         " \"description\": \"Long text with a back\\\\slash, `code`, _under_ and [brackets].\",\n"
         " \"help\": \"Wrap the call in Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS.\\nSecond line # not a heading.\",\n"
         " \"doc\": \"docs/rules/advise-release-gil.md\", \"samples\": {\"positive\": [], \"negative\": []}}\n"},
    {"gil-api-without-gil",
         "{\"id\": \"gil-api-without-gil\", \"name\": \"GilApiWithoutGil\", \"severity\": \"error\",\n"
         " \"title\": \"Python C-API call without the GIL\",\n"
         " \"summary\": \"A Python C-API function that needs the GIL is called while the GIL is released.\",\n"
         " \"description\": \"Reference counts change without the lock that protects them.\",\n"
         " \"help\": \"Move the call out of the released region.\",\n"
         " \"doc\": \"docs/rules/gil-api-without-gil.md\", \"samples\": {\"positive\": [], \"negative\": []}}\n"},
    {"gil-blocking-io-held",
         "{\"id\": \"gil-blocking-io-held\", \"name\": \"GilBlockingIoHeld\", \"severity\": \"warning\",\n"
         " \"title\": \"Blocking call while holding the GIL\",\n"
         " \"summary\": \"A blocking call runs while the GIL is held.\",\n"
         " \"description\": \"While it waits, no other Python thread can run.\",\n"
         " \"help\": \"Release the GIL around the call.\",\n"
         " \"doc\": \"docs/rules/gil-blocking-io-held.md\", \"samples\": {\"positive\": [], \"negative\": []}}\n"},
    {"mt-thread-unsafe-call",
         "{\"id\": \"mt-thread-unsafe-call\", \"name\": \"MtThreadUnsafeCall\", \"severity\": \"warning\",\n"
         " \"title\": \"Thread-unsafe libc call\",\n"
         " \"summary\": \"A libc function with hidden static state is called from code that threads run.\",\n"
         " \"description\": \"Two threads calling it at once overwrite each other's state.\",\n"
         " \"help\": \"Use the reentrant _r variant.\",\n"
         " \"doc\": \"docs/rules/mt-thread-unsafe-call.md\", \"samples\": {\"positive\": [], \"negative\": []}}\n"},
};

static char rules_dir[512];

const char *fixture_rules_dir(void)
{
    char name[600], *probe, *slash;
    struct dirent *de;
    uint32_t i;
    DIR *d;
    if (rules_dir[0]) return rules_dir;
    probe = tu_write_temp("probe", "");
    slash = strrchr(probe, '/');
    *slash = '\0';
    snprintf(rules_dir, sizeof rules_dir, "%s/rules", probe);
    free(probe);
    assert_int_equal(mkdir(rules_dir, 0700), 0);
    snprintf(name, sizeof name, "%s/checks", rules_dir);
    assert_int_equal(mkdir(name, 0700), 0);
    assert_non_null(d = opendir(tu_rules_dir()));
    while ((de = readdir(d))) {
        char *text = NULL;
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0) continue;
        snprintf(name, sizeof name, "%s/%s", tu_rules_dir(), de->d_name);
        if (ca_file_read(name, &text, &len) != CA_OK) fail_msg("cannot read %s", name);
        snprintf(name, sizeof name, "rules/%s", de->d_name);
        free(tu_write_temp(name, text));
        ca_free(text);
    }
    closedir(d);
    for (i = 0; i < N(fixture_rule_files); i++) {
        snprintf(name, sizeof name, "rules/checks/%s.json", fixture_rule_files[i][0]);
        free(tu_write_temp(name, fixture_rule_files[i][1]));
    }
    return rules_dir;
}

struct ca_rules *fixture_load_rules(const char *dir)
{
    struct ca_rules *rules = NULL;
    struct ca_rules_error err;
    enum ca_status st = ca_rules_load(dir, &rules, &err);
    if (st != CA_OK) fail_msg("cannot load rules from %s: %s:%u: %s", dir, err.file ? err.file : "", err.line,
                              err.message ? err.message : "");
    return rules;
}

void check_golden(const char *path, const char *got)
{
    char *want = NULL;
    size_t len = 0;
    if (getenv("CA_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(got, 1, strlen(got), f), strlen(got));
        assert_int_equal(fclose(f), 0);
        return;
    }
    if (ca_file_read(path, &want, &len) != CA_OK) fail_msg("cannot read golden file %s", path);
    if (strcmp(want, got) != 0) {
        size_t i = 0;
        while (want[i] && want[i] == got[i]) i++;
        ca_free(want);
        fail_msg("%s differs from the output at byte %zu (CA_UPDATE_GOLDEN=1 to regenerate)", path, i);
    }
    ca_free(want);
}
