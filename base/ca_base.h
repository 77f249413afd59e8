/* ca_base.h: the project-wide status enum, the allocation seam, an arena and a string buffer.
 * Does not do I/O beyond what ca_buf_* writes into memory; never prints, never exits.
 *
 * Ownership rule, once for the whole project: a function that returns a pointer through `out`
 * hands ownership to the caller unless its header says "borrowed"; every `_free(NULL)` is a no-op;
 * strings inside facts and results live in the arena of the struct that holds them. */
#ifndef CA_BASE_H
#define CA_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CA_MUST_USE __attribute__((warn_unused_result))
#define CA_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* One status enum for every module; the CLI maps it to exit codes. */
enum ca_status {
    CA_OK = 0,
    CA_ERR_NOMEM,    /* an allocation failed */
    CA_ERR_IO,       /* a file could not be read or written */
    CA_ERR_PARSE,    /* external text (JSON, source) is malformed */
    CA_ERR_CONFIG,   /* well-formed but wrong content (unknown key, bad value) */
    CA_ERR_USAGE,    /* the caller asked for something impossible */
    CA_ERR_INTERNAL  /* a bug in concadvise */
};
const char *ca_status_str(enum ca_status st);

/* ---- allocation seam: all heap memory goes through these, so a test can fail the Nth call. */
void *ca_malloc(size_t n);
void *ca_calloc(size_t n, size_t size);
void *ca_realloc(void *p, size_t n);
char *ca_strdup(const char *s);
char *ca_strndup(const char *s, size_t n);
void ca_free(void *p);
/* Test hook: make the Nth allocation from now on (1-based) and all after it fail; 0 disables.
 * Not thread-safe; call only from single-threaded tests. */
void ca_alloc_fail_after(long n);

/* Grow *arr (element size `size`) so that it holds at least `need` elements. */
CA_MUST_USE enum ca_status ca_grow(void **arr, size_t *cap, size_t need, size_t size);
/* Append one element: `CA_PUSH(st, arr, n, cap, value)` sets st, increments n on success. */
#define CA_PUSH(st, arr, n, cap, value)                                                  \
    do {                                                                                 \
        (st) = ca_grow((void **)&(arr), &(cap), (n) + 1, sizeof *(arr));                 \
        if ((st) == CA_OK) (arr)[(n)++] = (value);                                       \
    } while (0)

/* ---- arena: bump allocator for facts and strings copied out of libclang.
 * Thread-compatible (one arena per thread or per translation unit), not thread-safe. */
struct ca_arena_block;
struct ca_arena {
    struct ca_arena_block *head;
    size_t used, cap;
};
void ca_arena_init(struct ca_arena *a);
void ca_arena_fini(struct ca_arena *a);           /* frees every block; a may be reused after init */
void *ca_arena_alloc(struct ca_arena *a, size_t n); /* zeroed, 16-byte aligned; NULL on OOM */
char *ca_arena_strdup(struct ca_arena *a, const char *s);          /* NULL s -> NULL */
char *ca_arena_strndup(struct ca_arena *a, const char *s, size_t n);
char *ca_arena_printf(struct ca_arena *a, const char *fmt, ...) CA_PRINTF(2, 3);

/* ---- string buffer: growing, NUL-terminated; used by report writers and messages. */
struct ca_buf {
    char *data;
    size_t len, cap;
    int failed; /* sticky: an allocation failed; contents are truncated */
};
void ca_buf_init(struct ca_buf *b);
void ca_buf_fini(struct ca_buf *b);
void ca_buf_puts(struct ca_buf *b, const char *s);
void ca_buf_putn(struct ca_buf *b, const char *s, size_t n);
void ca_buf_putc(struct ca_buf *b, char c);
void ca_buf_printf(struct ca_buf *b, const char *fmt, ...) CA_PRINTF(2, 3);
void ca_buf_vprintf(struct ca_buf *b, const char *fmt, va_list ap);
/* Take the string out (caller frees with ca_free); the buffer is left empty. NULL if failed. */
char *ca_buf_take(struct ca_buf *b);

/* ---- text */
/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not one
 * (overlong forms, surrogates, code points above U+10FFFF).  Reads at most `avail` bytes and
 * stops at a NUL (pass SIZE_MAX for a NUL-terminated string).  Report writers use it to keep
 * their output valid UTF-8. */
size_t ca_utf8_len(const unsigned char *s, size_t avail);

/* ---- files */
/* Read a whole file into a NUL-terminated heap string. */
CA_MUST_USE enum ca_status ca_file_read(const char *path, char **out, size_t *len);
/* Write `len` bytes to `path` through a temporary file in the same directory (mode 0644),
 * renamed over it: a reader sees the old file or the new one, never a part, and concurrent
 * writers of the same path leave one whole file.  CA_ERR_IO or CA_ERR_NOMEM on failure (the
 * temporary file is removed). */
CA_MUST_USE enum ca_status ca_file_write_atomic(const char *path, const void *bytes, size_t len);

#endif
