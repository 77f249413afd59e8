/* report_html.c: the HTML report (docs/html-report.md): one self-contained page with inline CSS
 * and script, readable offline and allowed no network by its Content-Security-Policy.
 * Summary charts, a sortable table of the loops, the diagnostics, failed inputs, and an
 * annotated view of each file with findings in the spirit of `cython -a`: loops tinted by
 * advice, GIL-released regions barred in the gutter, diagnostics under their line, and a
 * loop's reasons and evidence shown when its first line is clicked.
 * Does not read files: the caller passes the source texts it has.  Does not judge: it shows
 * every loop and every diagnostic of the results, in their order (the table starts hottest
 * first). */
#include "report.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define N(a) (sizeof(a) / sizeof(a)[0])
#define NONE UINT32_MAX

struct page {
    struct ca_buf *b;
    const struct ca_results *r;
    const struct ca_rules *rules;
    const char **files;          /* files with loops, diagnostics or regions: sorted, unique */
    size_t nfiles;
    const struct ca_source **src; /* the usable sources, sorted by file (first given wins) */
    size_t nsrc;
    const struct ca_loop_result **order; /* the loops, hottest first */
};

/* ---- escaping */


/* n bytes as HTML text or attribute value: & < > " ' as references; a control character other
 * than tab (NUL included) shown as \xNN, so that it is visible and the page stays valid, marked
 * up as such in source lines (`code`); an invalid UTF-8 byte as U+FFFD. */
static void put_html_n(struct ca_buf *b, const char *str, size_t n, bool code)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    while (s < end) {
        const unsigned char *run = s;
        size_t k;
        while (s < end && *s >= 0x20 && *s < 0x7F && !strchr("&<>\"'", *s)) s++;
        ca_buf_putn(b, (const char *)run, (size_t)(s - run));
        if (s == end) break;
        k = ca_utf8_len(s, (size_t)(end - s));
        if (k > 1) {
            ca_buf_putn(b, (const char *)s, k);
            s += k;
            continue;
        }
        switch (*s) {
        case '&': ca_buf_puts(b, "&amp;"); break;
        case '<': ca_buf_puts(b, "&lt;"); break;
        case '>': ca_buf_puts(b, "&gt;"); break;
        case '"': ca_buf_puts(b, "&quot;"); break;
        case '\'': ca_buf_puts(b, "&#39;"); break;
        case '\t': ca_buf_putc(b, '\t'); break;
        default:
            if (*s < 0x20 || *s == 0x7F)
                ca_buf_printf(b, code ? "<span class=\"ctl\">\\x%02x</span>" : "\\x%02x", (unsigned)*s);
            else ca_buf_puts(b, "\xEF\xBF\xBD");
        }
        s++;
    }
}

static void put_html(struct ca_buf *b, const char *s)
{
    if (s) put_html_n(b, s, strlen(s), false);
}

/* A JSON string safe inside <script>: besides JSON's own escapes, '<', '>' and '&' are written
 * \u003c, \u003e, \u0026, so that no "</script>" or "<!--" can end or confuse the block, and
 * U+2028/U+2029 as escapes; an invalid UTF-8 byte becomes \ufffd.  NULL is written null. */
static void put_js_str(struct ca_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!s) {
        ca_buf_puts(b, "null");
        return;
    }
    ca_buf_putc(b, '"');
    while (*s) {
        size_t k = ca_utf8_len(s, 4); /* a NUL ends a sequence early: never read past it */
        unsigned char c = *s;
        if (k == 0) {
            ca_buf_puts(b, "\\ufffd");
            s++;
            continue;
        }
        if (k == 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) {
            ca_buf_printf(b, "\\u%04x", 0x2028u + (s[2] - 0xA8u));
            s += 3;
            continue;
        }
        if (k > 1) {
            ca_buf_putn(b, (const char *)s, k);
            s += k;
            continue;
        }
        switch (c) {
        case '"': ca_buf_puts(b, "\\\""); break;
        case '\\': ca_buf_puts(b, "\\\\"); break;
        case '\n': ca_buf_puts(b, "\\n"); break;
        case '\t': ca_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') ca_buf_printf(b, "\\u%04x", (unsigned)c);
            else ca_buf_putc(b, (char)c);
        }
        s++;
    }
    ca_buf_putc(b, '"');
}

/* ---- file index and sources */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sources by file; equal names keep their given order (pointer order within the array). */
static int cmp_src(const void *a, const void *b)
{
    const struct ca_source *x = *(const struct ca_source *const *)a, *y = *(const struct ca_source *const *)b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x < y ? -1 : x > y);
}

/* Index of `file` in the page's file list, or -1. */
static long file_index(const struct page *p, const char *file)
{
    const char **e;
    if (!file) return -1;
    e = bsearch(&file, p->files, p->nfiles, sizeof *p->files, cmp_str_ptr);
    return e ? (long)(e - p->files) : -1;
}

static const struct ca_source *find_source(const struct page *p, const char *file)
{
    size_t lo = 0, hi = p->nsrc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->src[mid]->file, file) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->nsrc && strcmp(p->src[lo]->file, file) == 0 ? p->src[lo] : NULL;
}

/* Loops by hotness, hottest first; equal hotness keeps the results' order (the pointers point
 * into one array, so comparing them compares positions). */
static int cmp_hot(const void *a, const void *b)
{
    const struct ca_loop_result *x = *(const struct ca_loop_result *const *)a;
    const struct ca_loop_result *y = *(const struct ca_loop_result *const *)b;
    if (x->hotness != y->hotness) return x->hotness > y->hotness ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The elements of a file-sorted array (loops, diagnostics, regions) that belong to `file`:
 * binary search for the first, then the run of equal names.  `off` is the offset of the
 * element's `const char *file` member. */
struct range {
    uint32_t lo, hi;
};

static const char *file_at(const void *base, size_t size, size_t off, uint32_t i)
{
    const char *f = *(const char *const *)((const char *)base + (size_t)i * size + off);
    return f ? f : "";
}

static struct range file_range(const void *base, uint32_t n, size_t size, size_t off, const char *file)
{
    struct range g = {0, n};
    while (g.lo < g.hi) {
        uint32_t mid = g.lo + (g.hi - g.lo) / 2;
        if (strcmp(file_at(base, size, off, mid), file) < 0) g.lo = mid + 1;
        else g.hi = mid;
    }
    for (g.hi = g.lo; g.hi < n && strcmp(file_at(base, size, off, g.hi), file) == 0; g.hi++) {}
    return g;
}

#define LOOPS_OF(p, f) \
    file_range((p)->r->loops, (p)->r->nloops, sizeof *(p)->r->loops, offsetof(struct ca_loop_result, file), f)
#define DIAGS_OF(p, f) \
    file_range((p)->r->diags, (p)->r->ndiags, sizeof *(p)->r->diags, offsetof(struct ca_diagnostic, file), f)
#define REGIONS_OF(p, f) \
    file_range((p)->r->regions, (p)->r->nregions, sizeof *(p)->r->regions, offsetof(struct ca_region, file), f)

/* Build the file list, the source index and the hot-first order.  Everything borrowed. */
static enum ca_status page_init(struct page *p, const struct ca_results *r, const struct ca_rules *rules,
                                const struct ca_source *sources, size_t nsources, struct ca_buf *out)
{
    size_t n = (size_t)r->nloops + r->ndiags + r->nregions, i, k = 0;
    memset(p, 0, sizeof *p);
    p->b = out;
    p->r = r;
    p->rules = rules;
    if (!(p->files = ca_malloc((n ? n : 1) * sizeof *p->files))) return CA_ERR_NOMEM;
    for (i = 0; i < r->nloops; i++)
        if (r->loops[i].file) p->files[k++] = r->loops[i].file;
    for (i = 0; i < r->ndiags; i++)
        if (r->diags[i].file) p->files[k++] = r->diags[i].file;
    for (i = 0; i < r->nregions; i++)
        if (r->regions[i].file) p->files[k++] = r->regions[i].file;
    qsort(p->files, k, sizeof *p->files, cmp_str_ptr);
    for (i = 0; i < k; i++)
        if (p->nfiles == 0 || strcmp(p->files[p->nfiles - 1], p->files[i]) != 0) p->files[p->nfiles++] = p->files[i];

    if (!(p->src = ca_malloc((nsources ? nsources : 1) * sizeof *p->src))) return CA_ERR_NOMEM;
    for (i = 0; i < nsources; i++)
        if (sources[i].file && sources[i].text) p->src[p->nsrc++] = &sources[i];
    qsort(p->src, p->nsrc, sizeof *p->src, cmp_src);

    if (!(p->order = ca_malloc((r->nloops ? r->nloops : 1) * sizeof *p->order))) return CA_ERR_NOMEM;
    for (i = 0; i < r->nloops; i++) p->order[i] = &r->loops[i];
    qsort(p->order, r->nloops, sizeof *p->order, cmp_hot);
    return CA_OK;
}

static void page_fini(struct page *p)
{
    ca_free(p->files);
    ca_free(p->src);
    ca_free(p->order);
}

/* ---- the fixed parts: style and behaviour.  The script reads the loop details from the JSON
 * block; it writes text with textContent only, never markup. */

static const char page_css[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;--accent:#0969da;"
    "--rel:#0b7285;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Noto Sans','DejaVu Sans',sans-serif}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "code{font-family:var(--mono);font-size:12.5px}\n"
    "main{max-width:1240px;margin:0 auto;padding:0 20px 40px}\n"
    "header.top{background:#24292f;color:#fff;padding:18px 0 20px}\n"
    "header.top .in{max-width:1240px;margin:0 auto;padding:0 20px;display:flex;flex-wrap:wrap;gap:16px 32px;"
    "align-items:center;justify-content:space-between}\n"
    "header.top h1{margin:0;font-size:22px;font-weight:600}\n"
    ".ver{margin:2px 0 0;color:#c9d1d9;font-size:13px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}\n"
    ".card{background:#32383f;border-radius:8px;padding:8px 14px;min-width:120px}\n"
    ".card strong{display:block;font-size:22px;line-height:1.2}.card span{color:#e6edf3}"
    ".card small{display:block;color:#9da7b3;font-size:12px}\n"
    "nav.toc{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);"
    "box-shadow:0 1px 4px rgba(31,35,40,.06);padding:8px 20px;text-align:center}\n"
    "nav.toc a{margin:0 10px;font-weight:500}\n"
    "section.box{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:6px 20px 18px;"
    "margin-top:20px}\n"
    "h2{font-size:18px;margin:12px 0 12px;font-weight:600}\n"
    "h2 .count{color:var(--muted);font-weight:400;font-size:14px;margin-left:8px}\n"
    ".empty{color:var(--muted)}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:14px 28px}\n"
    "figure.chart{margin:0}figure.chart figcaption{font-weight:600;margin-bottom:6px}\n"
    ".bar{display:grid;grid-template-columns:112px 1fr 36px;align-items:center;gap:8px;margin:3px 0;font-size:13px}\n"
    ".bar .track{height:12px;background:#eef1f4;border-radius:6px;overflow:hidden}\n"
    ".bar .fill{display:block;height:100%;border-radius:6px}.bar .n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".k-io{--c:#1b7c83}.k-cpu{--c:#cf222e}.k-mixed{--c:#8250df}.k-unknown{--c:#8c959f}\n"
    ".g-held{--c:#cf222e}.g-released{--c:#1a7f37}.g-mixed{--c:#bf8700}.g-none{--c:#57606a}.g-unknown{--c:#8c959f}\n"
    ".r-threading{--c:#1a7f37;--t:rgba(31,136,61,.11)}.r-multiprocessing{--c:#0969da;--t:rgba(9,105,218,.09)}"
    ".r-release-gil{--c:#d4590b;--t:rgba(230,120,30,.14)}.r-none{--c:#6e7781;--t:rgba(110,119,129,.08)}"
    ".r-unknown{--c:#8250df;--t:rgba(130,80,223,.08)}\n"
    ".s-error{--c:#cf222e;--t:#ffebe9}.s-warning{--c:#9a6700;--t:#fff8c5}.s-note{--c:#0969da;--t:#ddf4ff}\n"
    ".fill{background:var(--c)}\n"
    ".tag{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:500;color:#fff;"
    "background:var(--c);white-space:nowrap}\n"
    ".tools{display:flex;gap:16px;align-items:center;margin-bottom:10px}\n"
    "#ca-filter{flex:0 1 380px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;font:inherit}\n"
    ".tablewrap{overflow-x:auto}\n"
    "table.loops{border-collapse:collapse;width:100%;font-size:13px}\n"
    "table.loops th{text-align:left;border-bottom:2px solid var(--line);padding:0;white-space:nowrap}\n"
    "table.loops th button{all:unset;cursor:pointer;display:block;padding:6px 8px;font-weight:600}\n"
    "table.loops th button:focus-visible{outline:2px solid var(--accent)}\n"
    "table.loops th button::after{content:' \\2195';color:#afb8c1}\n"
    "table.loops th[aria-sort=ascending] button::after{content:' \\25B2';color:var(--fg)}\n"
    "table.loops th[aria-sort=descending] button::after{content:' \\25BC';color:var(--fg)}\n"
    "table.loops td{padding:5px 8px;border-bottom:1px solid #eaeef2;white-space:nowrap}\n"
    "table.loops tbody tr:hover{background:#f6f8fa}\n"
    "table.loops tr.hot td.h{font-weight:600}\n"
    ".heat{display:inline-block;width:48px;height:6px;background:#eef1f4;border-radius:3px;margin-right:6px;"
    "vertical-align:middle;overflow:hidden}.heat span{display:block;height:100%;background:#d4590b}\n"
    "ul.diags,ul.inputs{list-style:none;margin:0;padding:0}\n"
    "li.diag{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;padding:7px 10px;margin:4px 0;"
    "border-left:4px solid var(--c);background:var(--t);border-radius:0 6px 6px 0}\n"
    "li.diag .fn{color:var(--muted)}li.diag code.rule{color:var(--muted)}\n"
    ".sev{font-weight:700;color:var(--c);text-transform:uppercase;font-size:11px;letter-spacing:.04em}\n"
    "ul.inputs>li{padding:6px 0;border-bottom:1px solid #eaeef2}ul.inputs ul{margin:4px 0 0;padding-left:22px}\n"
    ".st-error{--c:#cf222e}.st-missing{--c:#6e7781}.st-ok{--c:#1a7f37}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 18px;color:var(--muted);font-size:13px;margin:0 0 12px}\n"
    ".legend i{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:5px;"
    "background:var(--t);border:1px solid var(--c)}\n"
    ".legend i.rel{background:var(--rel);border:0;width:5px}\n"
    "details.file{border:1px solid var(--line);border-radius:8px;margin:12px 0;overflow:hidden}\n"
    "details.file>summary{cursor:pointer;padding:8px 12px;background:#f6f8fa;border-bottom:1px solid var(--line)}\n"
    "details.file>summary .meta{color:var(--muted);margin-left:10px;font-size:13px}\n"
    ".code{font-family:var(--mono);font-size:12.5px;line-height:1.55;overflow-x:auto;padding:4px 0}\n"
    ".ln{display:flex;min-width:max-content;scroll-margin-top:80px}\n"
    ".ln .no{flex:0 0 56px;text-align:right;padding-right:10px;color:#8c959f;user-select:none}\n"
    ".ln .g{flex:0 0 5px}.ln.rel .g{background:var(--rel)}.ln.rs .g{border-radius:3px 3px 0 0}"
    ".ln.re .g{border-radius:0 0 3px 3px}\n"
    ".ln .src{white-space:pre;tab-size:4;padding:0 12px 0 10px;flex:1}\n"
    ".ln.t{background:var(--t)}\n"
    ".ln.head{cursor:pointer}.ln.head:hover{filter:brightness(.96)}.ln.head:focus-visible{outline:2px solid var(--accent)}\n"
    ".ln.d-error .no{color:#cf222e;font-weight:700}.ln.d-warning .no{color:#9a6700;font-weight:700}"
    ".ln.d-note .no{color:#0969da;font-weight:700}\n"
    ".lb{align-self:center;margin:0 12px 0 18px;padding:0 8px;border-radius:9px;font:500 11px/1.6 system-ui,sans-serif;"
    "color:#fff;background:var(--c);white-space:nowrap}\n"
    ".ln:target,.ln.hl{background:#fff1a8;box-shadow:inset 3px 0 0 #bf8700}\n"
    ".ann{margin:1px 12px 3px 71px;padding:3px 10px;border-left:3px solid var(--c);background:var(--t);"
    "border-radius:0 4px 4px 0;font:13px/1.45 system-ui,sans-serif;white-space:normal}\n"
    ".ann .rule{color:var(--muted);margin-left:6px}\n"
    ".details{margin:2px 12px 6px 71px;padding:8px 14px;border:1px solid var(--line);border-radius:6px;"
    "background:#fff;font:13px/1.5 system-ui,sans-serif;box-shadow:0 1px 3px rgba(31,35,40,.08);max-width:900px}\n"
    ".details .dh{font-weight:600;margin-bottom:4px}.details h4{margin:6px 0 2px;font-size:12px;color:var(--muted);"
    "text-transform:uppercase;letter-spacing:.04em}\n"
    ".details ul{margin:0;padding-left:20px}.details .ek{display:inline-block;min-width:112px;margin-right:8px;"
    "color:var(--muted);font-family:var(--mono);font-size:12px}\n"
    ".ctl{color:#cf222e;background:#ffebe9;border-radius:3px;padding:0 1px}\n"
    ".lines .what{color:var(--muted);font-family:system-ui,sans-serif;font-style:italic}\n"
    "ul.lines{list-style:none;padding:4px 12px;margin:0}ul.lines li{padding:3px 0}\n"
    ".missing{margin:10px 12px;color:var(--muted);font-style:italic}\n"
    "dl.rules dt{margin-top:10px;font-weight:600}dl.rules dd{margin:2px 0 0 0;color:var(--muted)}\n"
    "footer{max-width:1240px;margin:0 auto;padding:0 20px 30px;color:var(--muted);font-size:12px}\n";

static const char page_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var data = JSON.parse(document.getElementById('ca-data').textContent);\n"
    "  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };\n"
    "  function el(tag, cls, text) {\n"
    "    var e = document.createElement(tag);\n"
    "    if (cls) e.className = cls;\n"
    "    if (text !== undefined && text !== null) e.textContent = String(text);\n"
    "    return e;\n"
    "  }\n"
    "\n"
    "  /* The loop table: sort on a header click, filter as one types. */\n"
    "  var table = document.getElementById('ca-loops');\n"
    "  if (table) {\n"
    "    var tbody = table.tBodies[0], ths = table.tHead.rows[0].cells;\n"
    "    var value = function (row, col) {\n"
    "      var td = row.cells[col];\n"
    "      return td.hasAttribute('data-v') ? td.getAttribute('data-v') : td.textContent;\n"
    "    };\n"
    "    each(ths, function (th, col) {\n"
    "      th.addEventListener('click', function () {\n"
    "        var num = th.getAttribute('data-type') === 'num';\n"
    "        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;\n"
    "        var rows = Array.prototype.slice.call(tbody.rows);\n"
    "        rows.sort(function (a, b) {\n"
    "          var x = value(a, col), y = value(b, col);\n"
    "          var c = num ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);\n"
    "          return c * dir || Number(a.getAttribute('data-i')) - Number(b.getAttribute('data-i'));\n"
    "        });\n"
    "        rows.forEach(function (r) { tbody.appendChild(r); });\n"
    "        each(ths, function (h) { h.removeAttribute('aria-sort'); });\n"
    "        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');\n"
    "      });\n"
    "    });\n"
    "    var filter = document.getElementById('ca-filter'), hot = document.getElementById('ca-hot');\n"
    "    var count = document.getElementById('ca-count');\n"
    "    var apply = function () {\n"
    "      var q = filter.value.trim().toLowerCase(), shown = 0, rows = tbody.rows;\n"
    "      each(rows, function (row) {\n"
    "        var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&\n"
    "                 (!hot.checked || row.classList.contains('hot'));\n"
    "        row.hidden = !ok;\n"
    "        if (ok) shown++;\n"
    "      });\n"
    "      var noun = rows.length === 1 ? ' loop' : ' loops';\n"
    "      count.textContent = shown === rows.length ? rows.length + noun : shown + ' of ' + rows.length + noun;\n"
    "    };\n"
    "    filter.addEventListener('input', apply);\n"
    "    hot.addEventListener('change', apply);\n"
    "  }\n"
    "\n"
    "  /* A loop's first line: click (or Enter) shows its reasons and evidence below it. */\n"
    "  function details(k) {\n"
    "    var l = data.loops[k], box = el('div', 'details');\n"
    "    box.appendChild(el('div', 'dh', l.kind + ' loop in ' + l.function + '(), line ' + l.line + '\\u2013' +\n"
    "      l.end_line + ': ' + l.classification + ', GIL ' + l.gil + ' \\u2192 ' + l.recommendation +\n"
    "      ' (confidence ' + l.confidence + ', hotness ' + l.hotness + (l.python_api ? ', calls the Python C-API' : '') + ')'));\n"
    "    box.appendChild(el('h4', null, 'Reasons'));\n"
    "    var ul = box.appendChild(el('ul'));\n"
    "    l.reasons.forEach(function (s) { ul.appendChild(el('li', null, s)); });\n"
    "    if (l.evidence.length) {\n"
    "      box.appendChild(el('h4', null, 'Evidence'));\n"
    "      ul = box.appendChild(el('ul'));\n"
    "      l.evidence.forEach(function (e) {\n"
    "        var li = ul.appendChild(el('li'));\n"
    "        li.appendChild(el('span', 'ek', e.kind));\n"
    "        li.appendChild(el('code', null, e.name));\n"
    "        if (e.via) li.appendChild(document.createTextNode(' via ' + e.via));\n"
    "        li.appendChild(document.createTextNode(' at '));\n"
    "        var where = e.file + ':' + e.line + (e.column ? ':' + e.column : '');\n"
    "        var a = li.appendChild(el(e.f >= 0 ? 'a' : 'span', null, where));\n"
    "        if (e.f >= 0) a.href = '#L' + e.f + '-' + e.line;\n"
    "      });\n"
    "    }\n"
    "    return box;\n"
    "  }\n"
    "  function toggle(row) {\n"
    "    if (row.caBoxes) {\n"
    "      row.caBoxes.forEach(function (b) { b.remove(); });\n"
    "      row.caBoxes = null;\n"
    "      row.setAttribute('aria-expanded', 'false');\n"
    "      return;\n"
    "    }\n"
    "    var after = row;\n"
    "    row.caBoxes = row.getAttribute('data-loops').split(' ').map(function (k) {\n"
    "      var b = details(Number(k));\n"
    "      after.after(b);\n"
    "      after = b;\n"
    "      return b;\n"
    "    });\n"
    "    row.setAttribute('aria-expanded', 'true');\n"
    "  }\n"
    "  document.addEventListener('click', function (ev) {\n"
    "    var row = ev.target.closest('.head');\n"
    "    if (row && !ev.target.closest('a')) toggle(row);\n"
    "  });\n"
    "  document.addEventListener('keydown', function (ev) {\n"
    "    if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.classList && ev.target.classList.contains('head')) {\n"
    "      ev.preventDefault();\n"
    "      toggle(ev.target);\n"
    "    }\n"
    "  });\n"
    "\n"
    "  /* A link to a source line: open its file, centre the line and mark it. */\n"
    "  var lit = null;\n"
    "  function highlight() {\n"
    "    var id = decodeURIComponent(location.hash.slice(1));\n"
    "    if (!/^L[0-9]+-[0-9]+$/.test(id)) return;\n"
    "    var t = document.getElementById(id);\n"
    "    if (!t) return;\n"
    "    var d = t.closest('details');\n"
    "    if (d) d.open = true;\n"
    "    if (lit) lit.classList.remove('hl');\n"
    "    lit = t;\n"
    "    t.classList.add('hl');\n"
    "    t.scrollIntoView({block: 'center'});\n"
    "  }\n"
    "  window.addEventListener('hashchange', highlight);\n"
    "  highlight();\n"
    "})();\n";

/* ---- small pieces */

static const char *plural(uint32_t n, const char *one, const char *many) { return n == 1 ? one : many; }

static const char *sev_name(int v) { return ca_severity_str((enum ca_severity)v); }
static const char *class_name(int v) { return ca_class_str((enum ca_class)v); }
static const char *gil_name(int v) { return ca_gil_str((enum ca_gil)v); }
static const char *rec_name(int v) { return ca_rec_str((enum ca_rec)v); }

/* <span class="tag PREFIX-VALUE">VALUE</span>; the values are fixed enum names, safe as classes. */
static void put_tag(struct ca_buf *b, const char *prefix, const char *value)
{
    ca_buf_printf(b, "<span class=\"tag %s-%s\">%s</span>", prefix, value, value);
}

/* The badge at the end of a loop's first line: "while · io · GIL held → release-gil · 71". */
static void put_loop_badge(struct ca_buf *b, const struct ca_loop_result *l)
{
    ca_buf_printf(b, "<span class=\"lb r-%s\">", ca_rec_str(l->rec));
    put_html(b, l->kind);
    ca_buf_printf(b, " \xC2\xB7 %s \xC2\xB7 GIL %s \xE2\x86\x92 %s \xC2\xB7 hotness %" PRIu32 "</span>",
                  ca_class_str(l->cls), ca_gil_str(l->gil), ca_rec_str(l->rec), l->hotness);
}

/* "file:line:col" as a link to the source line when the file has a view. */
static void put_loc_link(struct page *p, const char *file, uint32_t line, uint32_t col, const char *cls)
{
    long fi = file_index(p, file);
    if (fi >= 0) ca_buf_printf(p->b, "<a class=\"%s\" href=\"#L%ld-%" PRIu32 "\">", cls, fi, line);
    else ca_buf_printf(p->b, "<span class=\"%s\">", cls);
    put_html(p->b, file);
    if (line) ca_buf_printf(p->b, ":%" PRIu32, line);
    if (line && col) ca_buf_printf(p->b, ":%" PRIu32, col);
    ca_buf_puts(p->b, fi >= 0 ? "</a>" : "</span>");
}

/* ---- head, header, navigation */

static void write_head(struct page *p, const struct ca_report_meta *m)
{
    struct ca_buf *b = p->b;
    ca_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                   "form-action 'none'\">\n<meta name=\"generator\" content=\"concadvise");
    if (m && m->tool_version && m->tool_version[0]) {
        ca_buf_putc(b, ' ');
        put_html(b, m->tool_version);
    }
    ca_buf_puts(b, "\">\n<title>concadvise report</title>\n<style>\n");
    ca_buf_puts(b, page_css);
    ca_buf_puts(b, "</style>\n</head>\n<body>\n");
}

static void write_header(struct page *p, const struct ca_report_meta *m, const struct ca_results_summary *s)
{
    struct ca_buf *b = p->b;
    ca_buf_puts(b, "<header class=\"top\"><div class=\"in\">\n<div><h1>concadvise report</h1>\n<p class=\"ver\">concadvise");
    if (m && m->tool_version && m->tool_version[0]) {
        ca_buf_putc(b, ' ');
        put_html(b, m->tool_version);
    }
    if (m && m->clang_version && m->clang_version[0]) {
        ca_buf_puts(b, " \xC2\xB7 ");
        put_html(b, m->clang_version);
    }
    ca_buf_puts(b, "</p></div>\n<div class=\"cards\">\n");
    ca_buf_printf(b, "<div class=\"card\"><strong>%" PRIu32 "</strong><span>%s</span><small>%" PRIu32 " ok \xC2\xB7 %" PRIu32
                     " not analysed</small></div>\n",
                  s->files, plural(s->files, "file", "files"), s->files_ok, s->files_failed);
    ca_buf_printf(b, "<div class=\"card\"><strong>%" PRIu32 "</strong><span>%s</span><small>%" PRIu32 " hot</small></div>\n",
                  s->loops, plural(s->loops, "loop", "loops"), s->hot_loops);
    ca_buf_printf(b, "<div class=\"card\"><strong>%" PRIu32 "</strong><span>%s</span><small>%" PRIu32 " %s \xC2\xB7 %" PRIu32
                     " %s \xC2\xB7 %" PRIu32 " %s</small>",
                  p->r->ndiags, plural(p->r->ndiags, "diagnostic", "diagnostics"),
                  s->by_severity[CA_SEV_ERROR], plural(s->by_severity[CA_SEV_ERROR], "error", "errors"),
                  s->by_severity[CA_SEV_WARNING], plural(s->by_severity[CA_SEV_WARNING], "warning", "warnings"),
                  s->by_severity[CA_SEV_NOTE], plural(s->by_severity[CA_SEV_NOTE], "note", "notes"));
    if (m && (m->suppressed || m->baselined)) /* findings the report leaves out, said in the same card */
        ca_buf_printf(b, "<small>not shown: %" PRIu32 " suppressed \xC2\xB7 %" PRIu32 " baselined</small>\n",
                      m->suppressed, m->baselined);
    ca_buf_puts(b, "</div>\n");
    ca_buf_printf(b, "<div class=\"card\"><strong>%" PRIu32 "</strong><span>GIL-released %s</span><small>in the sources</small></div>\n",
                  p->r->nregions, plural(p->r->nregions, "region", "regions"));
    ca_buf_puts(b, "</div>\n</div></header>\n<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#loops\">Loops</a>"
                   "<a href=\"#diagnostics\">Diagnostics</a>");
    if (s->files_failed) ca_buf_puts(b, "<a href=\"#inputs\">Inputs</a>");
    ca_buf_puts(b, "<a href=\"#sources\">Sources</a>");
    if (p->rules && ca_rules_nmeta(p->rules)) ca_buf_puts(b, "<a href=\"#rules\">Rules</a>");
    ca_buf_puts(b, "</nav>\n<main>\n");
}

/* ---- summary charts: one bar per value, its length the value's share of the total (integer
 * percent, rounded; at least 1% when the count is not 0 so that it stays visible). */

static void write_chart(struct ca_buf *b, const char *title, const char *prefix, const uint32_t *counts,
                        const int *order, size_t n, const char *(*name)(int))
{
    uint32_t total = 0, pct;
    size_t i;
    for (i = 0; i < n; i++) total += counts[order[i]];
    ca_buf_printf(b, "<figure class=\"chart\"><figcaption>%s</figcaption>\n", title);
    for (i = 0; i < n; i++) {
        uint32_t c = counts[order[i]];
        pct = total ? (uint32_t)(((uint64_t)c * 100 + total / 2) / total) : 0;
        if (c && !pct) pct = 1;
        ca_buf_printf(b, "<div class=\"bar\"><span>%s</span><span class=\"track\"><span class=\"fill %s-%s\" "
                         "style=\"width:%" PRIu32 "%%\"></span></span><span class=\"n\">%" PRIu32 "</span></div>\n",
                      name(order[i]), prefix, name(order[i]), pct, c);
    }
    ca_buf_puts(b, "</figure>\n");
}

static void write_charts(struct page *p, const struct ca_results_summary *s)
{
    static const int class_order[] = {CA_CLASS_IO, CA_CLASS_CPU, CA_CLASS_MIXED, CA_CLASS_UNKNOWN};
    static const int gil_order[] = {CA_GIL_HELD, CA_GIL_RELEASED, CA_GIL_MIXED, CA_GIL_NONE, CA_GIL_UNKNOWN};
    static const int rec_order[] = {CA_REC_THREADING, CA_REC_MULTIPROCESSING, CA_REC_RELEASE_GIL,
                                    CA_REC_NONE, CA_REC_UNKNOWN};
    static const int sev_order[] = {CA_SEV_ERROR, CA_SEV_WARNING, CA_SEV_NOTE};
    ca_buf_puts(p->b, "<section class=\"box\" id=\"summary\"><h2>Summary</h2>\n<div class=\"charts\">\n");
    write_chart(p->b, "Loops by classification", "k", s->by_class, class_order, N(class_order), class_name);
    write_chart(p->b, "Loops by GIL state", "g", s->by_gil, gil_order, N(gil_order), gil_name);
    write_chart(p->b, "Loops by recommendation", "r", s->by_rec, rec_order, N(rec_order), rec_name);
    write_chart(p->b, "Diagnostics by severity", "s", s->by_severity, sev_order, N(sev_order), sev_name);
    ca_buf_puts(p->b, "</div>\n</section>\n");
}

/* ---- the loop table, hottest first.  data-v holds the sort key where the text is not one;
 * data-i the initial position, which breaks ties so that sorting is stable. */

static void write_loop_row(struct page *p, const struct ca_loop_result *l, size_t pos)
{
    struct ca_buf *b = p->b;
    long fi = file_index(p, l->file);
    ca_buf_printf(b, "<tr%s data-i=\"%zu\">", l->hot ? " class=\"hot\"" : "", pos);
    if (fi >= 0) ca_buf_printf(b, "<td data-v=\"%08ld:%010" PRIu32 ":%010" PRIu32 "\">", fi, l->line, l->col);
    else ca_buf_puts(b, "<td data-v=\"~\">");
    put_loc_link(p, l->file, l->line, 0, "loc");
    ca_buf_puts(b, "</td><td>");
    put_html(b, l->function);
    ca_buf_puts(b, "</td><td>");
    put_html(b, l->kind);
    ca_buf_puts(b, "</td><td>");
    put_tag(b, "k", ca_class_str(l->cls));
    ca_buf_puts(b, "</td><td>");
    put_tag(b, "g", ca_gil_str(l->gil));
    ca_buf_printf(b, "</td><td data-v=\"%d\">%s</td><td>", l->python_api, l->python_api ? "yes" : "no");
    put_tag(b, "r", ca_rec_str(l->rec));
    ca_buf_printf(b, "</td><td data-v=\"%d\">%s</td>", (int)l->conf, ca_conf_str(l->conf));
    ca_buf_printf(b, "<td class=\"h\" data-v=\"%" PRIu32 "\"><span class=\"heat\"><span style=\"width:%" PRIu32
                     "%%\"></span></span>%" PRIu32 "</td></tr>\n",
                  l->hotness, l->hotness > 100 ? 100 : l->hotness, l->hotness);
}

static void write_loops(struct page *p, const struct ca_results_summary *s)
{
    struct ca_buf *b = p->b;
    static const char *const cols[][2] = {
        {"file:line", "text"}, {"function", "text"}, {"kind", "text"}, {"classification", "text"}, {"GIL", "text"},
        {"python_api", "num"}, {"recommendation", "text"}, {"confidence", "num"}, {"hotness", "num"}};
    size_t i;
    ca_buf_printf(b, "<section class=\"box\" id=\"loops\"><h2>Loops <span class=\"count\" id=\"ca-count\">%" PRIu32
                     " %s</span></h2>\n",
                  s->loops, plural(s->loops, "loop", "loops"));
    if (!p->r->nloops) {
        ca_buf_puts(b, "<p class=\"empty\">No loops were found.</p>\n</section>\n");
        return;
    }
    ca_buf_puts(b, "<div class=\"tools\"><input type=\"search\" id=\"ca-filter\" placeholder=\"Filter: file, function, "
                   "classification, advice\xE2\x80\xA6\" aria-label=\"Filter the loops\">"
                   "<label><input type=\"checkbox\" id=\"ca-hot\"> hot loops only</label></div>\n"
                   "<div class=\"tablewrap\"><table class=\"loops\" id=\"ca-loops\">\n<thead><tr>");
    for (i = 0; i < N(cols); i++)
        ca_buf_printf(b, "<th scope=\"col\" data-type=\"%s\"%s><button type=\"button\">%s</button></th>", cols[i][1],
                      i == N(cols) - 1 ? " aria-sort=\"descending\"" : "", cols[i][0]);
    ca_buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < p->r->nloops; i++) write_loop_row(p, p->order[i], i);
    ca_buf_puts(b, "</tbody>\n</table></div>\n</section>\n");
}

/* ---- diagnostics, failed inputs, rule legend */

static void put_rule_ref(struct page *p, const char *rule)
{
    const struct ca_rule_meta *meta = ca_rules_find_meta(p->rules, rule);
    ca_buf_puts(p->b, "<code class=\"rule\"");
    if (meta && meta->title) {
        ca_buf_puts(p->b, " title=\"");
        put_html(p->b, meta->title);
        ca_buf_putc(p->b, '"');
    }
    ca_buf_putc(p->b, '>');
    if (meta) {
        ca_buf_puts(p->b, "<a href=\"#rule-");
        put_html(p->b, rule);
        ca_buf_puts(p->b, "\">");
    }
    put_html(p->b, rule);
    ca_buf_puts(p->b, meta ? "</a></code>" : "</code>");
}

static void write_diags(struct page *p)
{
    struct ca_buf *b = p->b;
    uint32_t i;
    ca_buf_printf(b, "<section class=\"box\" id=\"diagnostics\"><h2>Diagnostics <span class=\"count\">%" PRIu32
                     "</span></h2>\n",
                  p->r->ndiags);
    if (!p->r->ndiags) {
        ca_buf_puts(b, "<p class=\"empty\">No diagnostics.</p>\n</section>\n");
        return;
    }
    ca_buf_puts(b, "<ul class=\"diags\">\n");
    for (i = 0; i < p->r->ndiags; i++) {
        const struct ca_diagnostic *d = &p->r->diags[i];
        const char *sev = ca_severity_str(d->severity);
        ca_buf_printf(b, "<li class=\"diag s-%s\"><span class=\"sev\">%s</span>", sev, sev);
        put_loc_link(p, d->file, d->line, d->col, "loc");
        ca_buf_puts(b, "<span class=\"msg\">");
        put_html(b, d->message);
        ca_buf_puts(b, "</span>");
        if (d->function) {
            ca_buf_puts(b, "<span class=\"fn\">in ");
            put_html(b, d->function);
            ca_buf_puts(b, "()</span>");
        }
        put_rule_ref(p, d->rule ? d->rule : "");
        ca_buf_puts(b, "</li>\n");
    }
    ca_buf_puts(b, "</ul>\n</section>\n");
}

static void write_inputs(struct page *p, const struct ca_results_summary *s)
{
    struct ca_buf *b = p->b;
    uint32_t i, j;
    if (!s->files_failed) return;
    ca_buf_printf(b, "<section class=\"box\" id=\"inputs\"><h2>Inputs not analysed <span class=\"count\">%" PRIu32
                     "</span></h2>\n<ul class=\"inputs\">\n",
                  s->files_failed);
    for (i = 0; i < p->r->ninputs; i++) {
        const struct ca_input_result *in = &p->r->inputs[i];
        const char *st = ca_input_state_str(in->state);
        if (in->state == CA_INPUT_OK) continue;
        ca_buf_puts(b, "<li><code>");
        put_html(b, in->file);
        ca_buf_printf(b, "</code> <span class=\"tag st-%s\">%s</span>", st, st);
        if (!in->nerrors)
            ca_buf_puts(b, in->state == CA_INPUT_MISSING ? " the file does not exist or cannot be read"
                                                         : " the file could not be parsed (clang gave no message)");
        else {
            ca_buf_puts(b, "<ul>");
            for (j = 0; j < in->nerrors; j++) {
                const struct ca_input_error *e = &in->errors[j];
                ca_buf_puts(b, "<li><code>");
                put_html(b, e->file ? e->file : in->file);
                if (e->line) ca_buf_printf(b, ":%" PRIu32, e->line);
                if (e->line && e->col) ca_buf_printf(b, ":%" PRIu32, e->col);
                ca_buf_puts(b, "</code> ");
                put_html(b, e->message);
                ca_buf_puts(b, "</li>");
            }
            ca_buf_puts(b, "</ul>");
        }
        ca_buf_puts(b, "</li>\n");
    }
    ca_buf_puts(b, "</ul>\n</section>\n");
}

static void write_rules(struct page *p)
{
    struct ca_buf *b = p->b;
    uint32_t i, n = p->rules ? ca_rules_nmeta(p->rules) : 0;
    if (!n) return;
    ca_buf_puts(b, "<section class=\"box\" id=\"rules\"><h2>Rules</h2>\n<dl class=\"rules\">\n");
    for (i = 0; i < n; i++) {
        const struct ca_rule_meta *m = ca_rules_meta(p->rules, i);
        ca_buf_puts(b, "<dt id=\"rule-");
        put_html(b, m->id);
        ca_buf_puts(b, "\"><code>");
        put_html(b, m->id);
        ca_buf_puts(b, "</code> <span class=\"tag s-");
        put_html(b, m->severity);
        ca_buf_puts(b, "\">");
        put_html(b, m->severity);
        ca_buf_puts(b, "</span> ");
        put_html(b, m->title);
        ca_buf_puts(b, "</dt>\n<dd>");
        put_html(b, m->summary);
        if (m->doc) {
            ca_buf_puts(b, " <code>");
            put_html(b, m->doc);
            ca_buf_puts(b, "</code>");
        }
        ca_buf_puts(b, "</dd>\n");
    }
    ca_buf_puts(b, "</dl>\n</section>\n");
}

/* ---- the annotated sources */

enum { LN_REL = 1, LN_RSTART = 2, LN_REND = 4 };

/* The first line's attributes for a loop head: every loop that starts there, and as tooltip the
 * first reason of the first one. */
static void put_head_attrs(struct ca_buf *b, const struct ca_results *r, uint32_t lo, uint32_t hi)
{
    uint32_t i;
    ca_buf_puts(b, " data-loops=\"");
    for (i = lo; i < hi; i++) ca_buf_printf(b, i > lo ? " %" PRIu32 : "%" PRIu32, i);
    ca_buf_puts(b, "\" tabindex=\"0\" role=\"button\" aria-expanded=\"false\" title=\"");
    if (r->loops[lo].nreasons) {
        put_html(b, r->loops[lo].reasons[0]);
        ca_buf_puts(b, " \xE2\x80\x94 ");
    }
    ca_buf_puts(b, "click for the reasons and evidence\"");
}

static void put_diag_ann(struct page *p, const struct ca_diagnostic *d)
{
    const char *sev = ca_severity_str(d->severity);
    ca_buf_printf(p->b, "<div class=\"ann s-%s\"><span class=\"sev\">%s</span> ", sev, sev);
    put_html(p->b, d->message);
    put_rule_ref(p, d->rule ? d->rule : "");
    ca_buf_puts(p->b, "</div>\n");
}

/* Findings listed by line, for a file whose text is missing (from = 0) or for the lines past
 * the end of the text given (from = its line count + 1).  Each line gets its anchor. */
static void write_line_list(struct page *p, size_t fi, struct range lr, struct range dr, uint32_t from)
{
    const struct ca_results *r = p->r;
    struct ca_buf *b = p->b;
    uint32_t li = lr.lo, di = dr.lo, i;
    while (li < lr.hi && r->loops[li].line < from) li++;
    while (di < dr.hi && r->diags[di].line < from) di++;
    if (li == lr.hi && di == dr.hi) return;
    ca_buf_puts(b, "<div class=\"lines\">\n");
    while (li < lr.hi || di < dr.hi) {
        uint32_t line = li < lr.hi ? r->loops[li].line : UINT32_MAX, k;
        if (di < dr.hi && r->diags[di].line < line) line = r->diags[di].line;
        for (k = li; k < lr.hi && r->loops[k].line == line; k++) {}
        ca_buf_printf(b, "<div class=\"ln%s\" id=\"L%zu-%" PRIu32 "\"", k > li ? " head" : "", fi, line);
        if (k > li) put_head_attrs(b, r, li, k);
        ca_buf_printf(b, "><a class=\"no\" href=\"#L%zu-%" PRIu32 "\">%" PRIu32 "</a><span class=\"g\"></span>"
                         "<span class=\"src what\">",
                      fi, line, line);
        for (i = li; i < k; i++) {
            if (i > li) ca_buf_puts(b, "; ");
            put_html(b, r->loops[i].kind);
            ca_buf_puts(b, " loop in ");
            put_html(b, r->loops[i].function);
            ca_buf_puts(b, "()");
        }
        ca_buf_puts(b, "</span>");
        for (; li < k; li++) put_loop_badge(b, &r->loops[li]);
        ca_buf_puts(b, "</div>\n");
        for (; di < dr.hi && r->diags[di].line == line; di++) put_diag_ann(p, &r->diags[di]);
    }
    ca_buf_puts(b, "</div>\n");
}

/* Lines of a text: the count of '\n', plus one for a last line without it. */
static uint32_t count_lines(const char *text, size_t len)
{
    uint32_t n = 0;
    size_t i;
    for (i = 0; i < len; i++)
        if (text[i] == '\n') n++;
    return n + (len && text[len - 1] != '\n');
}

static enum ca_status write_code(struct page *p, size_t fi, const struct ca_source *src, struct range lr,
                                 struct range dr, struct range rr)
{
    const struct ca_results *r = p->r;
    struct ca_buf *b = p->b;
    uint32_t nlines = count_lines(src->text, src->len), line, i, li = lr.lo, di = dr.lo;
    uint32_t *tint = ca_malloc(((size_t)nlines + 1) * sizeof *tint);
    unsigned char *flags = ca_calloc((size_t)nlines + 1, 1);
    const char *s = src->text, *end = src->text + src->len;
    enum ca_status st = CA_OK;

    if (!tint || !flags) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    /* The tint of a line is the loop that starts last among those containing it: loops come
     * sorted by line, so an inner loop overwrites its outer one. */
    for (line = 0; line <= nlines; line++) tint[line] = NONE;
    for (i = lr.lo; i < lr.hi; i++) {
        const struct ca_loop_result *l = &r->loops[i];
        uint32_t last = l->end_line > l->line ? l->end_line : l->line;
        for (line = l->line ? l->line : 1; line <= last && line <= nlines; line++) tint[line] = i;
    }
    for (i = rr.lo; i < rr.hi; i++) {
        const struct ca_region *g = &r->regions[i];
        uint32_t last = g->end_line > g->line ? g->end_line : g->line;
        if (!g->line || g->line > nlines) continue;
        if (last > nlines) last = nlines;
        for (line = g->line; line <= last; line++) flags[line] |= LN_REL;
        flags[g->line] |= LN_RSTART;
        flags[last] |= LN_REND;
    }

    ca_buf_puts(b, "<div class=\"code\">\n");
    for (line = 1; line <= nlines; line++) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        const char *next = eol ? eol + 1 : end;
        uint32_t k;
        int worst = -1;
        if (!eol) eol = end;
        if (eol > s && eol[-1] == '\r') eol--;
        while (li < lr.hi && r->loops[li].line < line) li++;
        while (di < dr.hi && r->diags[di].line < line) di++;
        for (k = li; k < lr.hi && r->loops[k].line == line; k++) {}
        for (i = di; i < dr.hi && r->diags[i].line == line; i++)
            if ((int)r->diags[i].severity > worst) worst = (int)r->diags[i].severity;

        ca_buf_puts(b, "<div class=\"ln");
        if (tint[line] != NONE) ca_buf_printf(b, " t r-%s", ca_rec_str(r->loops[tint[line]].rec));
        if (flags[line] & LN_REL) ca_buf_puts(b, " rel");
        if (flags[line] & LN_RSTART) ca_buf_puts(b, " rs");
        if (flags[line] & LN_REND) ca_buf_puts(b, " re");
        if (k > li) ca_buf_puts(b, " head");
        if (worst >= 0) ca_buf_printf(b, " d-%s", ca_severity_str((enum ca_severity)worst));
        ca_buf_printf(b, "\" id=\"L%zu-%" PRIu32 "\"", fi, line);
        if (k > li) put_head_attrs(b, r, li, k);
        ca_buf_printf(b, "><a class=\"no\" href=\"#L%zu-%" PRIu32 "\">%" PRIu32 "</a><span class=\"g\"", fi, line, line);
        if (flags[line] & LN_RSTART) {
            /* name what released the GIL on the region's first line */
            for (i = rr.lo; i < rr.hi && r->regions[i].line != line; i++) {}
            if (i < rr.hi) {
                ca_buf_puts(b, " title=\"GIL released by ");
                put_html(b, r->regions[i].by);
                ca_buf_printf(b, " until line %" PRIu32 "\"", r->regions[i].end_line);
            }
        }
        ca_buf_puts(b, "></span><span class=\"src\">");
        put_html_n(b, s, (size_t)(eol - s), true);
        ca_buf_puts(b, "</span>");
        for (; li < k; li++) put_loop_badge(b, &r->loops[li]);
        ca_buf_puts(b, "</div>\n");
        for (; di < dr.hi && r->diags[di].line == line; di++) put_diag_ann(p, &r->diags[di]);
        s = next;
    }
    ca_buf_puts(b, "</div>\n");
    lr.lo = li;
    dr.lo = di;
    if (li < lr.hi || di < dr.hi) {
        ca_buf_puts(b, "<p class=\"missing\">Findings past the end of the text given to the report:</p>\n");
        write_line_list(p, fi, lr, dr, nlines + 1);
    }
out:
    ca_free(tint);
    ca_free(flags);
    return st;
}

static enum ca_status write_file(struct page *p, size_t fi)
{
    const char *file = p->files[fi];
    struct range lr = LOOPS_OF(p, file), dr = DIAGS_OF(p, file), rr = REGIONS_OF(p, file);
    const struct ca_source *src = find_source(p, file);
    struct ca_buf *b = p->b;
    uint32_t i;

    ca_buf_printf(b, "<details class=\"file\" id=\"F%zu\" open><summary><code>", fi);
    put_html(b, file);
    ca_buf_printf(b, "</code><span class=\"meta\">%" PRIu32 " %s \xC2\xB7 %" PRIu32 " %s \xC2\xB7 %" PRIu32
                     " GIL-released %s</span></summary>\n",
                  lr.hi - lr.lo, plural(lr.hi - lr.lo, "loop", "loops"), dr.hi - dr.lo,
                  plural(dr.hi - dr.lo, "diagnostic", "diagnostics"), rr.hi - rr.lo,
                  plural(rr.hi - rr.lo, "region", "regions"));
    if (src) {
        enum ca_status st = write_code(p, fi, src, lr, dr, rr);
        if (st != CA_OK) return st;
    } else {
        ca_buf_puts(b, "<p class=\"missing\">Source not available: the text of this file was not given to the "
                       "report, so its findings are listed by line.</p>\n");
        write_line_list(p, fi, lr, dr, 0);
        if (rr.hi > rr.lo) {
            ca_buf_puts(b, "<ul class=\"lines\">\n");
            for (i = rr.lo; i < rr.hi; i++) {
                const struct ca_region *g = &p->r->regions[i];
                ca_buf_printf(b, "<li>GIL released from line %" PRIu32 " to line %" PRIu32 " by <code>", g->line,
                              g->end_line);
                put_html(b, g->by);
                ca_buf_puts(b, "</code>");
                if (g->function) {
                    ca_buf_puts(b, " in ");
                    put_html(b, g->function);
                    ca_buf_puts(b, "()");
                }
                ca_buf_puts(b, "</li>\n");
            }
            ca_buf_puts(b, "</ul>\n");
        }
    }
    ca_buf_puts(b, "</details>\n");
    return CA_OK;
}

static enum ca_status write_sources(struct page *p)
{
    struct ca_buf *b = p->b;
    size_t fi;
    enum ca_status st;
    ca_buf_puts(b, "<section class=\"box\" id=\"sources\"><h2>Sources</h2>\n<p class=\"legend\">"
                   "<span><i class=\"r-threading\"></i>loop: threading</span>"
                   "<span><i class=\"r-multiprocessing\"></i>loop: multiprocessing</span>"
                   "<span><i class=\"r-release-gil\"></i>loop: release the GIL</span>"
                   "<span><i class=\"r-none\"></i>loop: nothing to gain</span>"
                   "<span><i class=\"r-unknown\"></i>loop: unknown</span>"
                   "<span><i class=\"rel\"></i>GIL released</span>"
                   "<span>Click a loop's first line for its reasons and evidence.</span></p>\n");
    if (!p->nfiles) ca_buf_puts(b, "<p class=\"empty\">No file has findings.</p>\n");
    for (fi = 0; fi < p->nfiles; fi++)
        if ((st = write_file(p, fi)) != CA_OK) return st;
    ca_buf_puts(b, "</section>\n");
    return CA_OK;
}

/* ---- the data block: what the script shows on a click, as JSON safe inside <script>. */

static void write_data(struct page *p)
{
    const struct ca_results *r = p->r;
    struct ca_buf *b = p->b;
    uint32_t i, j;
    ca_buf_puts(b, "<script type=\"application/json\" id=\"ca-data\">{\"loops\": [");
    for (i = 0; i < r->nloops; i++) {
        const struct ca_loop_result *l = &r->loops[i];
        ca_buf_puts(b, i ? ",\n{\"file\": " : "\n{\"file\": ");
        put_js_str(b, l->file ? l->file : "");
        ca_buf_printf(b, ", \"line\": %" PRIu32 ", \"column\": %" PRIu32 ", \"end_line\": %" PRIu32 ", \"function\": ",
                      l->line, l->col, l->end_line);
        put_js_str(b, l->function ? l->function : "");
        ca_buf_puts(b, ", \"kind\": ");
        put_js_str(b, l->kind ? l->kind : "");
        ca_buf_printf(b, ", \"classification\": \"%s\", \"gil\": \"%s\", \"python_api\": %s, \"recommendation\": \"%s\", "
                         "\"confidence\": \"%s\", \"hotness\": %" PRIu32 ", \"hot\": %s, \"reasons\": [",
                      ca_class_str(l->cls), ca_gil_str(l->gil), l->python_api ? "true" : "false", ca_rec_str(l->rec),
                      ca_conf_str(l->conf), l->hotness, l->hot ? "true" : "false");
        for (j = 0; j < l->nreasons; j++) {
            if (j) ca_buf_puts(b, ", ");
            put_js_str(b, l->reasons[j] ? l->reasons[j] : "");
        }
        if (l->benchmark_line) { /* measured with --bench: shown with the reasons */
            struct ca_buf m;
            ca_buf_init(&m);
            ca_buf_printf(&m, "measured: %s", l->benchmark_line);
            if (l->nreasons) ca_buf_puts(b, ", ");
            put_js_str(b, m.data ? m.data : "");
            if (m.failed) b->failed = 1;
            ca_buf_fini(&m);
        }
        ca_buf_puts(b, "], \"evidence\": [");
        for (j = 0; j < l->nevidence; j++) {
            const struct ca_evidence *e = &l->evidence[j];
            const char *file = e->file ? e->file : l->file;
            ca_buf_puts(b, j ? ", {\"file\": " : "{\"file\": ");
            put_js_str(b, file ? file : "");
            ca_buf_printf(b, ", \"f\": %ld, \"line\": %" PRIu32 ", \"column\": %" PRIu32 ", \"kind\": ",
                          file_index(p, file), e->line, e->col);
            put_js_str(b, e->kind ? e->kind : "");
            ca_buf_puts(b, ", \"name\": ");
            put_js_str(b, e->name ? e->name : "");
            ca_buf_puts(b, ", \"via\": ");
            put_js_str(b, e->via);
            ca_buf_putc(b, '}');
        }
        ca_buf_puts(b, "]}");
    }
    ca_buf_puts(b, "\n]}</script>\n");
}

enum ca_status ca_report_html(const struct ca_results *r, const struct ca_rules *rules,
                              const struct ca_report_meta *m, const struct ca_source *sources,
                              size_t nsources, struct ca_buf *out)
{
    struct page p;
    struct ca_results_summary s;
    enum ca_status st;

    if ((st = page_init(&p, r, rules, sources, nsources, out)) != CA_OK) goto out;
    ca_results_summarize(r, &s);
    write_head(&p, m);
    write_header(&p, m, &s);
    write_charts(&p, &s);
    write_loops(&p, &s);
    write_diags(&p);
    write_inputs(&p, &s);
    if ((st = write_sources(&p)) != CA_OK) goto out;
    write_rules(&p);
    ca_buf_puts(out, "</main>\n<footer>Written by concadvise");
    if (m && m->tool_version && m->tool_version[0]) {
        ca_buf_putc(out, ' ');
        put_html(out, m->tool_version);
    }
    ca_buf_puts(out, ". This page is self-contained and makes no network requests.</footer>\n");
    write_data(&p);
    ca_buf_puts(out, "<script>\n");
    ca_buf_puts(out, page_js);
    ca_buf_puts(out, "</script>\n</body>\n</html>\n");
    st = out->failed ? CA_ERR_NOMEM : CA_OK;
out:
    if (st != CA_OK) out->failed = 1;
    page_fini(&p);
    return st;
}
