/* results_fingerprint.c: stable identities for diagnostics (baselines, SARIF).
 * The identity leaves out line and column so that an edit elsewhere in the file, which moves the
 * finding, keeps it; it keeps the occurrence number so that two identical findings in one
 * function stay two. */
#include <stdio.h>
#include <string.h>

#include "results.h"

static uint64_t fnv(uint64_t h, const char *s)
{
    if (s)
        for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xffu) * 1099511628211ull; /* field separator */
}

static bool same_identity(const struct ca_diagnostic *a, const struct ca_diagnostic *b)
{
    return strcmp(a->rule, b->rule) == 0 && strcmp(a->file, b->file) == 0 && strcmp(a->message, b->message) == 0 &&
           ((!a->function && !b->function) || (a->function && b->function && strcmp(a->function, b->function) == 0));
}

enum ca_status ca_results_fingerprint(struct ca_results *r)
{
    for (uint32_t i = 0; i < r->ndiags; i++) {
        struct ca_diagnostic *d = &r->diags[i];
        uint32_t nth = 0;
        uint64_t h1 = 14695981039346656037ull, h2 = 0x6a09e667f3bcc909ull;
        char hex[33], num[16];
        /* Sorted by file and line: earlier identical findings are the earlier occurrences.
         * Quadratic in identical findings of one file only, which stay few. */
        for (uint32_t j = 0; j < i; j++)
            if (same_identity(&r->diags[j], d)) nth++;
        snprintf(num, sizeof num, "%u", nth);
        const char *parts[] = {d->rule, d->file, d->function, d->message, num};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            h1 = fnv(h1, parts[k]);
            h2 = fnv(h2 ^ h1, parts[k]);
        }
        snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
        d->fingerprint = ca_arena_strdup(&r->arena, hex);
        if (!d->fingerprint) return CA_ERR_NOMEM;
    }
    return CA_OK;
}
