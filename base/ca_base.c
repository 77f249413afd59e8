/* ca_base.c: allocation seam, arena, string buffer, file reading. */
#include "ca_base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ca_status_str(enum ca_status st)
{
    switch (st) {
    case CA_OK: return "ok";
    case CA_ERR_NOMEM: return "out of memory";
    case CA_ERR_IO: return "I/O error";
    case CA_ERR_PARSE: return "parse error";
    case CA_ERR_CONFIG: return "configuration error";
    case CA_ERR_USAGE: return "usage error";
    case CA_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

/* The counter is only touched when a test armed it; production builds pay one load. */
static long fail_after;

static int should_fail(void)
{
    if (fail_after <= 0) return 0;
    if (fail_after == 1) return 1; /* stays at 1: every later call fails too */
    fail_after--;
    return 0;
}

void ca_alloc_fail_after(long n) { fail_after = n; }

void *ca_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *ca_calloc(size_t n, size_t size) { return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1); }
void *ca_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void ca_free(void *p) { free(p); }

char *ca_strndup(const char *s, size_t n)
{
    char *r;
    if (!s) return NULL;
    r = ca_malloc(n + 1);
    if (!r) return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *ca_strdup(const char *s) { return s ? ca_strndup(s, strlen(s)) : NULL; }

enum ca_status ca_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *p;
    if (need <= *cap) return CA_OK;
    ncap = *cap ? *cap : 8;
    while (ncap < need) ncap *= 2;
    p = ca_realloc(*arr, ncap * size);
    if (!p) return CA_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return CA_OK;
}

/* ---- arena */
struct ca_arena_block {
    struct ca_arena_block *next;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 65536

void ca_arena_init(struct ca_arena *a) { memset(a, 0, sizeof *a); }

void ca_arena_fini(struct ca_arena *a)
{
    struct ca_arena_block *b = a->head, *n;
    for (; b; b = n) {
        n = b->next;
        ca_free(b);
    }
    memset(a, 0, sizeof *a);
}

void *ca_arena_alloc(struct ca_arena *a, size_t n)
{
    void *p;
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->used + n > a->cap) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        struct ca_arena_block *b = ca_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->cap = cap;
        a->head = b;
        a->used = 0;
        a->cap = cap;
    }
    p = a->head->data + a->used;
    a->used += n;
    memset(p, 0, n);
    return p;
}

char *ca_arena_strndup(struct ca_arena *a, const char *s, size_t n)
{
    char *r;
    if (!s) return NULL;
    r = ca_arena_alloc(a, n + 1);
    if (!r) return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *ca_arena_strdup(struct ca_arena *a, const char *s)
{
    return s ? ca_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ca_arena_printf(struct ca_arena *a, const char *fmt, ...)
{
    va_list ap;
    struct ca_buf b;
    char *r;
    ca_buf_init(&b);
    va_start(ap, fmt);
    ca_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    r = b.failed ? NULL : ca_arena_strndup(a, b.data ? b.data : "", b.len);
    ca_buf_fini(&b);
    return r;
}

/* ---- buffer */
void ca_buf_init(struct ca_buf *b) { memset(b, 0, sizeof *b); }
void ca_buf_fini(struct ca_buf *b) { ca_free(b->data); memset(b, 0, sizeof *b); }

static int buf_reserve(struct ca_buf *b, size_t extra)
{
    if (b->failed) return 0;
    if (ca_grow((void **)&b->data, &b->cap, b->len + extra + 1, 1) != CA_OK) {
        b->failed = 1;
        return 0;
    }
    return 1;
}

void ca_buf_putn(struct ca_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ca_buf_puts(struct ca_buf *b, const char *s) { ca_buf_putn(b, s, strlen(s)); }
void ca_buf_putc(struct ca_buf *b, char c) { ca_buf_putn(b, &c, 1); }

void ca_buf_vprintf(struct ca_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !buf_reserve(b, (size_t)n)) return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ca_buf_printf(struct ca_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ca_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *ca_buf_take(struct ca_buf *b)
{
    char *r;
    if (b->failed) {
        ca_buf_fini(b);
        return NULL;
    }
    r = b->data ? b->data : ca_strdup("");
    memset(b, 0, sizeof *b);
    return r;
}

size_t ca_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t n, i;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3;
    else if (c >= 0xF0 && c <= 0xF4) n = 4;
    else return 0;
    if (n > avail) return 0;
    if (c == 0xE0) lo = 0xA0;      /* overlong */
    else if (c == 0xED) hi = 0x9F; /* surrogates */
    else if (c == 0xF0) lo = 0x90; /* overlong */
    else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0; /* also stops at a NUL */
    return n;
}

enum ca_status ca_file_read(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct ca_buf b;
    char chunk[65536];
    size_t n;
    enum ca_status st = CA_OK;
    *out = NULL;
    if (len) *len = 0;
    if (!f) return CA_ERR_IO;
    ca_buf_init(&b);
    ca_buf_putn(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ca_buf_putn(&b, chunk, n);
    if (ferror(f)) st = CA_ERR_IO;
    fclose(f);
    if (st == CA_OK && b.failed) st = CA_ERR_NOMEM;
    if (st != CA_OK) {
        ca_buf_fini(&b);
        return st;
    }
    if (len) *len = b.len;
    *out = ca_buf_take(&b);
    return *out ? CA_OK : CA_ERR_NOMEM;
}

enum ca_status ca_file_write_atomic(const char *path, const void *bytes, size_t len)
{
    const char *data = bytes;
    struct ca_buf tmp;
    enum ca_status st = CA_OK;
    int fd;
    ca_buf_init(&tmp);
    ca_buf_printf(&tmp, "%s.XXXXXX", path);
    if (tmp.failed) return CA_ERR_NOMEM;
    if ((fd = mkstemp(tmp.data)) < 0) {
        ca_buf_fini(&tmp);
        return CA_ERR_IO;
    }
    while (len > 0 && st == CA_OK) {
        ssize_t k = write(fd, data, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) st = CA_ERR_IO;
        else data += k, len -= (size_t)k;
    }
    if (fchmod(fd, 0644) != 0 || close(fd) != 0) st = CA_ERR_IO;
    if (st == CA_OK && rename(tmp.data, path) != 0) st = CA_ERR_IO;
    if (st != CA_OK) unlink(tmp.data);
    ca_buf_fini(&tmp);
    return st;
}
