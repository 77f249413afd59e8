/* serve.c: `concadvise serve`, one process that answers many editor requests (docs/editors.md).
 * It frames messages and turns each request into an editor-mode run (cli_run); it does not
 * analyse anything itself. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_int.h"
#include "ca_json.h"

/* ---- serve: one process answers many requests, so that an editor pays for loading libclang
 * once.  Framing as in the Language Server Protocol's base protocol: each message is headers
 * ("Content-Length: N"), an empty line, then N bytes of JSON.  A request is
 * {"file": PATH, "text": TEXT}; "text" is optional (then the file on disk is analysed).  The
 * answer is the report of `concadvise [OPTION]... --format json --stdin-filename PATH` for that
 * text, with a Concadvise-Exit-Status header holding the exit status that run would have had;
 * a malformed request gets {"error": "..."} and status 2.  End of input ends the server. */

/* Reads one message body (heap) from stdin; false at end of input; *bad for a broken header. */
static bool read_message(char **body, size_t *len, bool *bad)
{
    char line[512];
    long long n = -1;
    *body = NULL;
    *bad = false;
    for (;;) {
        size_t l;
        if (!fgets(line, sizeof line, stdin)) return false;
        l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = '\0';
        if (!l) {
            if (n >= 0) break;
            continue; /* blank lines between messages */
        }
        if (strncasecmp(line, "Content-Length:", 15) == 0) n = atoll(line + 15);
    }
    if (n < 0 || n > (1LL << 30) || !(*body = ca_malloc((size_t)n + 1))) {
        *bad = true;
        return n >= 0 && n <= (1LL << 30); /* out of memory: go on; a broken length: stop */
    }
    if (fread(*body, 1, (size_t)n, stdin) != (size_t)n) {
        ca_free(*body);
        *body = NULL;
        return false;
    }
    (*body)[n] = '\0';
    *len = (size_t)n;
    return true;
}

static void send_message(int status, const char *data, size_t len)
{
    printf("Content-Length: %zu\r\nConcadvise-Exit-Status: %d\r\n\r\n", len, status);
    fwrite(data, 1, len, stdout);
    fflush(stdout);
}

static void send_error(const char *msg)
{
    struct ca_buf b;
    ca_buf_init(&b);
    ca_buf_puts(&b, "{\"error\": ");
    ca_json_put_str(&b, msg);
    ca_buf_puts(&b, "}\n");
    send_message(EXIT_USAGE, b.data ? b.data : "{}", b.len);
    ca_buf_fini(&b);
}

int cli_serve(const struct cli *base)
{
    char *body;
    size_t len = 0;
    bool bad;
    while (read_message(&body, &len, &bad)) {
        struct ca_arena arena;
        struct ca_json *req = NULL;
        const struct ca_json *file, *text;
        struct ca_buf out;
        struct cli c = *base;
        int rc;
        if (bad) {
            send_error("out of memory");
            continue;
        }
        ca_arena_init(&arena);
        if (ca_json_parse(body, len, &arena, &req, NULL) != CA_OK || req->type != CA_JSON_OBJ ||
            !(file = ca_json_find(req, "file")) || file->type != CA_JSON_STR || !*file->str ||
            ((text = ca_json_find(req, "text")) && text->type != CA_JSON_STR)) {
            send_error("a request is {\"file\": PATH, \"text\": TEXT} (text optional)");
        } else {
            char *disk = NULL;
            size_t dlen = 0;
            ca_buf_init(&out);
            c.stdin_filename = file->str;
            c.capture = &out;
            c.have_buffer = true;
            if (text) {
                c.buffer = text->str;
                c.buffer_len = strlen(text->str);
            } else if (ca_file_read(file->str, &disk, &dlen) == CA_OK) {
                c.buffer = disk;
                c.buffer_len = dlen;
            } else {
                c.have_buffer = false;
            }
            if (!c.have_buffer) {
                send_error("cannot read the file and the request has no text");
            } else {
                rc = cli_run(&c);
                send_message(rc, out.data ? out.data : "", out.len);
            }
            ca_free(disk);
            ca_buf_fini(&out);
        }
        ca_arena_fini(&arena);
        ca_free(body);
    }
    if (bad) {
        send_error("malformed message header (Content-Length)");
        return EXIT_USAGE;
    }
    return EXIT_CLEAN;
}
