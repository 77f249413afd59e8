/* plain_io_copy.c: plainio_copy_stream copies one stdio stream to another in 64 KiB
 * blocks, the way cat-like tools do; plainio_copy_file opens both files around it.
 * This file does not include Python.h, so there is no GIL: gil=none.  The loop blocks in
 * fread()/fwrite() and computes nothing worth mentioning: io.  Plain C I/O overlaps well
 * in threads (the kernel does the waiting), so threading.  No diagnostics: no GIL to
 * hold while blocking, and no thread-unsafe calls. */
#include <stddef.h>
#include <stdio.h>

/* Copy everything from `in` to `out`.  Returns the number of bytes copied, or -1 on a read
 * or write error (errno is left as set by stdio). */
long long
plainio_copy_stream(FILE *in, FILE *out)
{
    char buf[65536];
    size_t n;
    long long total = 0;

    /* expect: loop classification=io gil=none recommendation=threading python_api=false */
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, out) != n)
            return -1;
        total += (long long)n;
    }
    if (ferror(in))
        return -1;
    return total;
}

/* Copy the file `src` to `dst` (created or truncated).  Same return value. */
long long
plainio_copy_file(const char *src, const char *dst)
{
    FILE *in, *out;
    long long total = -1;

    in = fopen(src, "rb");
    if (in == NULL)
        return -1;
    out = fopen(dst, "wb");
    if (out != NULL) {
        total = plainio_copy_stream(in, out);
        if (fclose(out) != 0)
            total = -1;
    }
    fclose(in);
    return total;
}
