/* plain_unsafe_globals.c: plainunsafe_sample_words picks a random sample of the words in
 * a line and counts every word seen in a global.  No Python.h: gil=none.  The loop only
 * computes (no blocking calls): cpu.  But strtok keeps its position in hidden static
 * state, rand() shares one global seed, and plainunsafe_words_seen is a global written
 * without a lock, so running this loop in several threads at once is wrong: use
 * processes (multiprocessing), or strtok_r / rand_r and a per-thread counter.
 * mt-thread-unsafe-call is reported at strtok and at rand, nothing else. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

unsigned long plainunsafe_words_seen;

/* Store up to `max` pointers to randomly kept words of `line` (which is modified) in
 * `out`, keeping each word with probability percent/100.  Returns how many were kept. */
size_t
plainunsafe_sample_words(char *line, int percent, char **out, size_t max)
{
    size_t kept = 0;
    char *start = line;
    char *word;

    /* expect: loop classification=cpu gil=none recommendation=multiprocessing python_api=false */
    while (kept < max) {
        /* expect-diag: mt-thread-unsafe-call */
        word = strtok(start, " \t\r\n");
        if (word == NULL)
            break;
        start = NULL;
        plainunsafe_words_seen++;
        /* expect-diag: mt-thread-unsafe-call */
        if (rand() % 100 < percent)
            out[kept++] = word;
    }
    return kept;
}
