/* bench_driver.c: `bench_driver bench ARGS` runs `concadvise bench ARGS` without the rest of the
 * CLI, dispatching exactly as cli/cli.c does, so that the benchmark mode can be tested on its
 * own (tests/microbench_test.sh). */
#include <stdio.h>
#include <string.h>

#include "microbench.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bench") == 0) return ca_bench_main(argc - 1, argv + 1);
    fprintf(stderr, "usage: bench_driver bench [OPTION]...\n");
    return 2;
}
