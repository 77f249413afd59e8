/* shard.c: shard files (contract in shard.h).  Layout, native-endian:
 *   "CASHARD\0", u32 format, u32 k, u32 n, u32 ninputs, the inputs hash (16 bytes),
 *   u32 length of the tool id, the tool id, u32 ntus, then ntus x { u32 index, one
 *   ca_facts_write record }. */
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts_io.h"

#define SHARD_MAGIC "CASHARD"
#define SHARD_FORMAT 1u

bool ca_shard_parse_spec(const char *s, uint32_t *k, uint32_t *n)
{
    char *end;
    unsigned long a, b;
    if (!s || *s < '0' || *s > '9') return false;
    a = strtoul(s, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9') return false;
    b = strtoul(end + 1, &end, 10);
    if (*end || a < 1 || b < 1 || a > b || b > 100000) return false;
    *k = (uint32_t)a;
    *n = (uint32_t)b;
    return true;
}

struct ca_hash ca_shard_inputs_hash(const char *const *display, size_t n)
{
    struct ca_hash h = {0, 0};
    for (size_t i = 0; i < n; i++) {
        struct ca_hash d = ca_hash128(display[i], strlen(display[i]) + 1, h.h1);
        h.h1 ^= d.h1;
        h.h2 = h.h2 * 0x9e3779b97f4a7c15ull + d.h2;
        h.h1 = h.h1 * 31 + h.h2; /* order matters */
    }
    return h;
}

static void put32(struct ca_buf *b, uint32_t v)
{
    ca_buf_putn(b, (const char *)&v, 4);
}

enum ca_status ca_shard_write(const struct ca_shard_run *r, uint32_t k, const uint32_t *index,
                              const struct ca_tu_facts *tus, uint32_t ntus, struct ca_buf *out)
{
    enum ca_status st = CA_OK;
    ca_buf_putn(out, SHARD_MAGIC, 8);
    put32(out, SHARD_FORMAT);
    put32(out, k);
    put32(out, r->n);
    put32(out, r->ninputs);
    ca_buf_putn(out, (const char *)&r->inputs, sizeof r->inputs);
    put32(out, (uint32_t)strlen(r->tool_id));
    ca_buf_puts(out, r->tool_id);
    put32(out, ntus);
    for (uint32_t i = 0; i < ntus && st == CA_OK; i++) {
        put32(out, index[i]);
        st = ca_facts_write(&tus[i], out);
    }
    return st == CA_OK && out->failed ? CA_ERR_NOMEM : st;
}

void ca_shard_set_init(struct ca_shard_set *s)
{
    memset(s, 0, sizeof *s);
}

void ca_shard_set_fini(struct ca_shard_set *s)
{
    for (uint32_t i = 0; s->tus && i < s->ninputs; i++) ca_facts_fini(&s->tus[i]);
    ca_free(s->tus);
    ca_free(s->have);
    ca_free(s->seen);
    ca_free(s->tool_id);
    memset(s, 0, sizeof *s);
}

static enum ca_status fail(char **why, const char *name, const char *msg)
{
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_printf(&b, "%s: %s", name, msg);
    *why = ca_buf_take(&b);
    return *why ? CA_ERR_PARSE : CA_ERR_NOMEM;
}

static bool get32(const char *data, size_t len, size_t *at, uint32_t *v)
{
    if (len - *at < 4) return false;
    memcpy(v, data + *at, 4);
    *at += 4;
    return true;
}

enum ca_status ca_shard_set_add(struct ca_shard_set *s, const char *name, const char *data, size_t len, char **why)
{
    size_t at = 8;
    uint32_t format, k, n, ninputs, idlen, ntus;
    struct ca_hash inputs;
    *why = NULL;
    if (len < 8 || memcmp(data, SHARD_MAGIC, 8) != 0) return fail(why, name, "not a concadvise shard file");
    if (!get32(data, len, &at, &format) || format != SHARD_FORMAT)
        return fail(why, name, "a shard file of another concadvise version");
    if (!get32(data, len, &at, &k) || !get32(data, len, &at, &n) || !get32(data, len, &at, &ninputs) ||
        len - at < sizeof inputs || k < 1 || k > n)
        return fail(why, name, "corrupt shard file (header)");
    memcpy(&inputs, data + at, sizeof inputs);
    at += sizeof inputs;
    if (!get32(data, len, &at, &idlen) || len - at < idlen) return fail(why, name, "corrupt shard file (header)");
    if (!s->started) {
        if (!(s->tool_id = ca_strndup(data + at, idlen)) || !(s->seen = ca_calloc(n, sizeof *s->seen)) ||
            !(s->tus = ca_calloc(ninputs ? ninputs : 1, sizeof *s->tus)) ||
            !(s->have = ca_calloc(ninputs ? ninputs : 1, sizeof *s->have)))
            return CA_ERR_NOMEM;
        s->n = n;
        s->ninputs = ninputs;
        s->inputs = inputs;
        s->started = true;
    } else if (strlen(s->tool_id) != idlen || memcmp(s->tool_id, data + at, idlen) != 0) {
        return fail(why, name, "written by another concadvise build than the other shards");
    } else if (n != s->n || ninputs != s->ninputs || !ca_hash_eq(inputs, s->inputs)) {
        return fail(why, name, "a shard of another run (other inputs or another N)");
    }
    at += idlen;
    if (s->seen[k - 1]) {
        char msg[64];
        snprintf(msg, sizeof msg, "shard %u/%u given twice", k, n);
        return fail(why, name, msg);
    }
    s->seen[k - 1] = true;
    if (!get32(data, len, &at, &ntus)) return fail(why, name, "corrupt shard file (truncated)");
    for (uint32_t i = 0; i < ntus; i++) {
        uint32_t idx;
        size_t used = 0;
        enum ca_status st;
        if (!get32(data, len, &at, &idx) || idx >= s->ninputs || s->have[idx] || idx % n != k - 1)
            return fail(why, name, "corrupt shard file (a translation unit's index)");
        st = ca_facts_read(data + at, len - at, &s->tus[idx], &used);
        if (st == CA_ERR_NOMEM) {
            ca_facts_fini(&s->tus[idx]);
            return st;
        }
        if (st != CA_OK) {
            ca_facts_fini(&s->tus[idx]);
            return fail(why, name, "corrupt shard file (facts)");
        }
        s->have[idx] = true;
        at += used;
    }
    if (at != len) return fail(why, name, "corrupt shard file (trailing bytes)");
    return CA_OK;
}

enum ca_status ca_shard_set_finish(struct ca_shard_set *s, char **why)
{
    struct ca_buf b;
    *why = NULL;
    if (!s->started) return fail(why, "merge", "no shard files");
    ca_buf_init(&b);
    for (uint32_t k = 0; k < s->n; k++)
        if (!s->seen[k]) ca_buf_printf(&b, "%s%u/%u", b.len ? ", " : "missing shard ", k + 1, s->n);
    for (uint32_t i = 0; !b.len && i < s->ninputs; i++)
        if (!s->have[i]) ca_buf_printf(&b, "a shard lacks input %u of %u", i + 1, s->ninputs);
    if (!b.len) {
        ca_buf_fini(&b);
        return CA_OK;
    }
    if (b.failed) {
        ca_buf_fini(&b);
        return CA_ERR_NOMEM;
    }
    *why = ca_buf_take(&b);
    return CA_ERR_PARSE;
}
