/* report_fixture.h: what the report tests share (test_reports, test_sarif, test_html): results
 * built from static fixture arrays, a rule directory of the tests' own, and golden files.
 * Each test keeps its own fixture data (its golden files depend on it). */
#ifndef CA_REPORT_FIXTURE_H
#define CA_REPORT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"
#include "rules.h"

struct fixture_set {
    const struct ca_input_result *inputs; uint32_t ninputs;
    const struct ca_loop_result *loops; uint32_t nloops;
    const struct ca_diagnostic *diags; uint32_t ndiags;
    const struct ca_region *regions; uint32_t nregions;
};

/* Initialises *r with everything in s (in reverse order when `reversed`: the writers must not
 * depend on the order of arrival), sorted and fingerprinted. */
void fixture_build(struct ca_results *r, const struct fixture_set *s, bool reversed);

/* A rule directory: the real catalogs of rules/ and four rule files of the tests, one with text
 * that needs escaping in JSON and in Markdown.  Made once, under testutil's temporary directory. */
const char *fixture_rules_dir(void);
struct ca_rules *fixture_load_rules(const char *dir);

/* Compare with a golden file byte for byte, or rewrite it when CA_UPDATE_GOLDEN is set. */
void check_golden(const char *path, const char *got);

#endif
