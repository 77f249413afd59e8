/* front.c: the libclang front end (contract in front.h, output in facts.h).
 * It parses one translation unit and reduces every function DEFINED in the main file or in a
 * project header (rule below) to facts: the function, its loops (nesting, bound, operator
 * count), its calls (with the innermost loop and the outermost macro they come from), the
 * macros it expands, its writes to globals and static locals, the uses of function names other
 * than calls (with the function's type, and the struct field a static initialiser puts them
 * in), and a small control-flow IR.  Function names in initialisers of file-scope and static
 * variables are recorded too, and so are those variables themselves (globals).  The TU as a
 * whole gets the .c files it includes and whether its text declares free-threading support.
 * It does NOT judge anything (no catalogs, no GIL logic), walk bodies that live in other
 * headers, extract anything from a file that has clang errors, or resolve anything across files.
 * This is the only file of the project that includes libclang.  No globals, no static buffers:
 * one struct ca_front per thread, all parse state in one struct walk on the caller's stack.
 *
 * Project headers: a definition in an included file is extracted when that file is not a
 * system header, not under the directory of the Python.h the TU includes, and its real path
 * lies in the main file's directory or below it: Modules/_io/clinic/fileio.c.h (Argument
 * Clinic wrappers) for Modules/_io/fileio.c, src/impl.h for src/foo.c, but not ../Include/x.h.
 * The facts of such a function have lines and columns in that header, whose display path is
 * the main file's display directory joined with the header's path below the main file's
 * directory (see file_src).  File-scope variables of such a header are read for function names
 * too; those references are placed at the main file's #include that brings the header in.
 * A header included more than once (sre_lib.h, re-included with other macros) is one file:
 * its functions are extracted from every inclusion, its macro expansions are merged.
 *
 * Walk: each function body is walked once, recursively; each node's children are collected
 * with one clang_visitChildren into a shared stack.  The text of the function's own file (main
 * file or header: w->cur) is lexed only where libclang 14 has no API: the header of each for
 * statement, the operator of a binary operator whose answer matters (assignment target is a
 * global, a function name on the right, calls on the right, loop conditions), ++/-- on a
 * global, and the text of an indirect callee.  Offsets are only ever compared with offsets of
 * that same file: a location in another file makes those features fall back on the "from a
 * macro body" heuristics.
 *
 * Precompiled preambles: a file that begins with the lines up to its #include of Python.h
 * (preamble.h) can be parsed after a PCH of those lines (ca_front_build_pch), with its own copy
 * of them blanked.  The TU then neither shows nor reports what the PCH read, so the preamble's
 * part of the facts (Python.h, its directory, deps) comes from what the build recorded
 * (struct ca_pch_info), and anything that could make the facts differ from a plain parse's
 * gives a plain parse instead (pch_fits, parse_pch). */
#include "front.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preamble.h"

struct ca_front {
    CXIndex index;
};

#define MAX_DIAGS 20
/* Expressions nested deeper than this are not walked (their calls are lost): it keeps the
 * recursion within any thread's stack on generated code such as 10,000-term `||` chains. */
#define MAX_NEST 4000

/* A macro expansion written in an extracted file.  libclang's preprocessing record holds the
 * expansions whose name is in the file text, including those inside another macro's
 * arguments, but not those produced inside macro bodies. */
struct mexp {
    uint32_t begin, end;  /* offsets in its file, end exclusive */
    uint32_t outer;       /* outermost expansion containing this one (itself at top level) */
    CXSourceLocation at;  /* for line and column, computed only for macro facts */
    const char *name;     /* interned */
};

/* A file whose function definitions are extracted: the main file (srcs[0]) or a project
 * header.  The walk of a function reads only its own file's text and expansions (w->cur). */
struct src {
    CXFile file;
    const char *display;   /* headers: display path in the facts arena; NULL for the main file */
    const char *text;      /* contents (owned by the TU) */
    uint32_t ntext;
    struct mexp *mx;       /* expansions written in this file, sorted by begin (see extract) */
    size_t nmx, capmx;
    CXSourceLocation incl; /* headers: the main-file #include that brings it in (see incl_cb) */
    bool has_incl;
};

#define NO_SRC UINT32_MAX /* a file whose definitions are not extracted */

/* One entry of the per-file decision cache (see file_src). */
struct fslot {
    CXFile file; /* NULL: free slot */
    uint32_t src;
};

/* Where a loop of the current function sits, for attributing macro expansions to loops. */
struct lspan {
    uint32_t key;   /* expansion offset of the loop keyword */
    uint32_t begin; /* first offset that belongs to the loop: after the for-init when known */
    uint32_t end;   /* end of the loop's extent, exclusive */
};

/* Assignment-target search: the variable an lvalue path ends at, when global or static. */
struct lvtarget {
    bool found, static_local;
    CXCursor var;
};

/* A node on the path from a static initialiser's root to the node being visited, so that a
 * function name knows the struct field it initialises (see sinit_cb). */
#define UNSURE UINT32_MAX
struct iframe {
    CXCursor c;
    CXCursor field;          /* the FieldDecl this node initialises or lies in; null: none, unsure */
    uint32_t fbase, nf;      /* record lists: their fields are w->fields[fbase, fbase + nf) */
    uint32_t next;           /* record lists: the field of the next positional child, or UNSURE */
    uint32_t nkids, ndesig;  /* children met so far; field designators among them */
    bool record;             /* an initialiser list of a struct or union */
};

struct ifield {
    CXCursor c;
    bool aggregate;          /* a struct, union or array: its initialiser may elide its braces */
};

/* How an expression is used; set by its parent and passed down through parentheses and casts
 * (and the kinds named below), cleared by every other kind. */
enum {
    M_STMT = 1u << 0,   /* value discarded (statement level): used by the macro fallbacks */
    M_LV = 1u << 1,     /* on the path to an assignment target: also [ ] base, . -> base, * */
    M_CALLEE = 1u << 2, /* the callee of a call: also through unary * */
    M_ARG = 1u << 3,    /* argument `arg` of call `call`: also through unary & */
    M_RHS = 1u << 4,    /* right side of a binary operator that may be `=`: also through & */
    M_INIT = 1u << 5    /* initialiser of a local variable: also through & */
};
struct ectx {
    unsigned mode;
    uint32_t call, arg;
};

/* A list of sibling IR nodes under construction: appending is O(1). */
struct list {
    uint32_t first, last;
};
#define LIST_EMPTY {CA_NONE, CA_NONE}

/* A function definition or file-scope variable to extract, and the file it is in. */
struct decl {
    CXCursor c;
    uint32_t src;
};

/* A dep of the PCH by identity: device, inode, and its index in pch->deps. */
struct pchix {
    unsigned long long dev, ino;
    size_t idx;
};

struct walk {
    struct ca_tu_facts *f;
    CXTranslationUnit tu;
    CXFile main;
    enum ca_status st; /* sticky: the first failure; everything stops after it */
    /* interned strings (open addressing, all in f->arena) */
    const char **strs;
    size_t nstrs, capstrs;
    struct src *srcs;  /* extracted files, srcs[0] the main file; fixed once extraction starts */
    size_t nsrcs, capsrcs;
    struct src *cur;   /* the file of the function (or variable) being extracted */
    struct fslot *files; /* CXFile -> src index or NO_SRC (open addressing) */
    size_t nfiles, capfiles;
    CXFile last_file;    /* the last file looked up, and its answer: expansions come in runs */
    uint32_t last_src;
    char *dir;           /* real path of the main file's directory, with its '/'; NULL if unknown */
    size_t ndir;
    const char *disp;    /* the main file's display path; its directory is disp[0, ndisp) */
    size_t ndisp;
    char *pyreal;        /* real path of the Python.h directory, with its '/'; NULL if none */
    size_t npyreal;
    bool header_vars;    /* some file-scope variable of a header is to be read */
    struct decl *decls;  /* function definitions and file-scope variables of srcs, in order */
    size_t ndecls, capdecls;
    CXCursor *kids; /* stack of collected children, see kids_push */
    size_t nkids, capkids;
    struct lspan *spans; /* loops of the current function: spans[loop - first_loop] */
    size_t nspans, capspans;
    uint32_t *open; /* scratch stack for attributing macros to loops */
    size_t capopen;
    /* position of the walk */
    uint32_t func, loop, depth, first_loop, nest;
    struct lvtarget lv;
    uint32_t rhs_fnref; /* fnref found directly on the right of the current binary operator */
    struct { CXCursor expr; uint32_t call; } recent[8]; /* the calls just added, by CallExpr (a ring) */
    unsigned nrecent;
    struct { CXCursor var; uint32_t call; } assigned[16]; /* local v = f(...) in this function */
    unsigned nassigned;
    char *pydir;        /* directory of the Python.h included, with its '/'; NULL if none */
    size_t npydir;
    struct { CXFile file; bool py; } pycache[64]; /* declaration file -> under pydir */
    struct { void *key; const char *s; } tcache[64]; /* canonical function type -> spelling */
    struct iframe *frames; /* path of the static initialiser walk (see sinit_cb) */
    size_t nframes, capframes;
    struct ifield *fields; /* fields of the record lists on that path */
    size_t nfields, capfields;
    const char **gnames; /* names of the file-scope globals recorded (interned; open addressing) */
    size_t ngnames, capgnames;
    const struct ca_pch_info *pch; /* the precompiled preamble the TU was parsed with, or NULL */
    struct pchix *pchix; /* pch->deps by identity, sorted (see pch_dep) */
    size_t npchix;
};

static void walk(struct walk *w, CXCursor c, struct list *out, struct ectx cx);
static bool eval_int(CXCursor c, long long *v);
static bool declared_by_python(struct walk *w, CXCursor decl);

/* ------------------------------------------------------------------ precompiled preamble deps */

static int cmp_pchix(const void *pa, const void *pb)
{
    const struct pchix *a = pa, *b = pb;
    if (a->dev != b->dev) return a->dev < b->dev ? -1 : 1;
    return a->ino < b->ino ? -1 : a->ino > b->ino;
}

/* Index the PCH's deps by identity (w->pchix). */
static void pch_index(struct walk *w)
{
    size_t i;
    if (!w->pch->ndeps || !w->pch->dep_stamps) return;
    if (!(w->pchix = ca_malloc(w->pch->ndeps * sizeof *w->pchix))) {
        w->st = CA_ERR_NOMEM;
        return;
    }
    for (i = 0; i < w->pch->ndeps; i++) {
        if (!w->pch->dep_stamps[i].dev && !w->pch->dep_stamps[i].ino) continue;
        w->pchix[w->npchix].dev = w->pch->dep_stamps[i].dev;
        w->pchix[w->npchix].ino = w->pch->dep_stamps[i].ino;
        w->pchix[w->npchix++].idx = i;
    }
    qsort(w->pchix, w->npchix, sizeof *w->pchix, cmp_pchix);
}

/* The index in w->pch->deps of `file`, or SIZE_MAX when the PCH did not read it.  By identity:
 * the name clang gives a file read through a PCH, and the real path it reports for it, are the
 * name the PCH stored, which need not be the real path of a plain parse (see ca_pch_info). */
static size_t pch_dep(const struct walk *w, CXFile file)
{
    CXFileUniqueID id;
    struct pchix key, *hit;
    if (!w->npchix || clang_getFileUniqueID(file, &id) != 0) return SIZE_MAX;
    key.dev = id.data[0];
    key.ino = id.data[1];
    hit = bsearch(&key, w->pchix, w->npchix, sizeof *w->pchix, cmp_pchix);
    return hit ? hit->idx : SIZE_MAX;
}

/* ------------------------------------------------------------------ strings */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool strs_grow(struct walk *w)
{
    size_t cap = w->capstrs ? w->capstrs * 2 : 256, i, j;
    const char **slot = ca_calloc(cap, sizeof *slot);
    if (!slot) return false;
    for (i = 0; i < w->capstrs; i++) {
        if (!w->strs[i]) continue;
        for (j = hash_str(w->strs[i]) & (cap - 1); slot[j]; j = (j + 1) & (cap - 1)) {}
        slot[j] = w->strs[i];
    }
    ca_free(w->strs);
    w->strs = slot;
    w->capstrs = cap;
    return true;
}

/* The facts-arena copy of `s`, shared by every fact that names the same thing. */
static const char *intern(struct walk *w, const char *s)
{
    size_t i;
    char *r;
    if (w->st) return NULL;
    if (2 * (w->nstrs + 1) > w->capstrs && !strs_grow(w)) {
        w->st = CA_ERR_NOMEM;
        return NULL;
    }
    for (i = hash_str(s) & (w->capstrs - 1); w->strs[i]; i = (i + 1) & (w->capstrs - 1))
        if (strcmp(w->strs[i], s) == 0) return w->strs[i];
    r = ca_arena_strdup(&w->f->arena, s);
    if (!r) {
        w->st = CA_ERR_NOMEM;
        return NULL;
    }
    w->strs[i] = r;
    w->nstrs++;
    return r;
}

/* A type spelling without leading qualifiers and tag keywords: "const struct X" -> "X". */
static const char *bare_type(const char *s)
{
    static const char *const words[] = {"const ", "volatile ", "restrict ", "struct ", "union ", "enum "};
    size_t i;
    for (i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(s, words[i], n) == 0) {
            s += n;
            i = (size_t)-1; /* start over: "const struct" */
        }
    }
    return s;
}

/* The one place a kept CXString is consumed: copied (interned) into the facts arena, then
 * disposed.  `type` strips qualifiers and tag keywords first (see bare_type). */
static const char *take_str(struct walk *w, CXString s, bool type)
{
    const char *c = clang_getCString(s);
    const char *r;
    if (!c) c = "";
    r = intern(w, type ? bare_type(c) : c);
    clang_disposeString(s);
    return r;
}
#define take(w, s) take_str((w), (s), false)

/* The spelling of canonical function type `t`, or of the canonical function type `t` points
 * to; NULL when `t` is neither.  Function types and their pointers meet as strings: an indirect
 * call's fptype and a candidate's fntype are both made here.  Cached per type (a TU has a few
 * dozen distinct ones), keyed on the canonical type's identity. */
static const char *fn_type(struct walk *w, CXType t)
{
    size_t h;
    t = clang_getCanonicalType(t);
    if (t.kind == CXType_Pointer) t = clang_getCanonicalType(clang_getPointeeType(t));
    if (t.kind != CXType_FunctionProto && t.kind != CXType_FunctionNoProto) return NULL;
    h = ((uintptr_t)t.data[0] >> 4) & 63;
    if (w->tcache[h].key != t.data[0] || !w->tcache[h].s) {
        w->tcache[h].key = t.data[0];
        w->tcache[h].s = take(w, clang_getTypeSpelling(t));
    }
    return w->tcache[h].s;
}

/* ------------------------------------------------------------------ locations and tokens */

/* Is `file` the file being extracted (w->cur)?  CXFile is clang's FileEntry: one per file. */
static bool is_cur(const struct walk *w, CXFile file)
{
    return file && (file == w->cur->file || clang_File_isEqual(file, w->cur->file));
}

/* Expansion location (the macro use site for macro-made code); false outside the current file. */
static bool exp_loc(struct walk *w, CXSourceLocation l, struct ca_loc *loc, uint32_t *off)
{
    CXFile file = NULL;
    unsigned line = 0, col = 0, o = 0;
    clang_getExpansionLocation(l, &file, loc ? &line : NULL, loc ? &col : NULL, &o);
    if (!is_cur(w, file)) return false;
    if (loc) {
        loc->line = line;
        loc->col = col;
    }
    if (off) *off = o;
    return true;
}

/* File offset of the text a location was written at: the argument text for tokens from a macro
 * argument, the macro use site for tokens from a macro body.  False outside the current file. */
static bool file_off(struct walk *w, CXSourceLocation l, uint32_t *off)
{
    CXFile file = NULL;
    unsigned o = 0;
    clang_getFileLocation(l, &file, NULL, NULL, &o);
    if (!is_cur(w, file)) return false;
    *off = o;
    return true;
}

/* Index of the first macro expansion of `s` beginning at or after `off` (nmx if none). */
static size_t mx_lower(const struct src *s, uint32_t off)
{
    size_t lo = 0, hi = s->nmx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->mx[mid].begin < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the last macro expansion beginning at or before `off`, or nmx. */
static size_t mx_find(const struct src *s, uint32_t off)
{
    size_t i = off == UINT32_MAX ? s->nmx : mx_lower(s, off + 1);
    return i ? i - 1 : s->nmx;
}

/* Name of the outermost macro expansion whose text contains `off` (an offset in the current
 * file), or NULL. */
static const char *macro_at(const struct walk *w, uint32_t off)
{
    const struct src *s = w->cur;
    size_t i = mx_find(s, off);
    if (i == s->nmx) return NULL;
    i = s->mx[i].outer;
    return off < s->mx[i].end ? s->mx[i].name : NULL;
}

/* True when a macro expansion begins at `off`: a file offset that is a macro name means the
 * code there comes from the macro's body, not from text we can lex. */
static bool macro_begins_at(const struct walk *w, uint32_t off)
{
    const struct src *s = w->cur;
    size_t i = mx_find(s, off);
    return i != s->nmx && s->mx[i].begin == off;
}

/* ---- file text.  The few tokens the walk needs (an operator, a for header, a callee's
 * text) are read from the current file's buffer (clang_getFileContents) between two offsets,
 * with the small lexer below, rather than with clang_tokenize: a range for clang_tokenize must
 * be built with clang_getLocationForOffset, whose first call makes clang index the macro
 * arguments of the whole TU (3 ms on a Python.h TU, a quarter of a typical walk), and raw
 * cursor locations inside macros are spelled where clang_tokenize cannot use them.  The lexer
 * knows comments, line splices, string and character literals and C punctuators; pp-numbers
 * are cut at + and - (harmless here: only operators, parentheses and ';' are looked at). */

enum tok_kind { TK_END, TK_WORD, TK_LIT, TK_PUNCT };
struct tok {
    enum tok_kind kind;
    uint32_t off, len;
};
struct lexer {
    const char *s;
    uint32_t pos, end; /* tokens must start before end; they may not run past the buffer */
    uint32_t size;
};

static bool lexer_init(const struct walk *w, struct lexer *lx, uint32_t a, uint32_t b)
{
    const struct src *s = w->cur;
    if (!s->text || a >= b || b > s->ntext) return false;
    lx->s = s->text;
    lx->pos = a;
    lx->end = b;
    lx->size = s->ntext;
    return true;
}

static void skip_space(struct lexer *lx)
{
    const char *s = lx->s;
    while (lx->pos < lx->size) {
        char c = s[lx->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '\\' && lx->pos + 1 < lx->size && (s[lx->pos + 1] == '\n' || s[lx->pos + 1] == '\r')) {
            lx->pos += 2;
        } else if (c == '/' && lx->pos + 1 < lx->size && s[lx->pos + 1] == '*') {
            lx->pos += 2;
            while (lx->pos + 1 < lx->size && !(s[lx->pos] == '*' && s[lx->pos + 1] == '/')) lx->pos++;
            lx->pos = lx->pos + 2 < lx->size ? lx->pos + 2 : lx->size;
        } else if (c == '/' && lx->pos + 1 < lx->size && s[lx->pos + 1] == '/') {
            while (lx->pos < lx->size && s[lx->pos] != '\n') lx->pos++;
        } else {
            break;
        }
    }
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           (unsigned char)c >= 0x80;
}

static struct tok lex(struct lexer *lx)
{
    static const char *const puncts[] = {"<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
                                         "!=",  "&&",  "||",  "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=",
                                         "##"};
    struct tok t = {TK_END, 0, 0};
    const char *s = lx->s;
    char c;
    size_t i;
    skip_space(lx);
    if (lx->pos >= lx->end || lx->pos >= lx->size) return t;
    t.off = lx->pos;
    c = s[lx->pos];
    if (c == '"' || c == '\'') {
        t.kind = TK_LIT;
        for (lx->pos++; lx->pos < lx->size && s[lx->pos] != c && s[lx->pos] != '\n'; lx->pos++)
            if (s[lx->pos] == '\\' && lx->pos + 1 < lx->size) lx->pos++;
        if (lx->pos < lx->size && s[lx->pos] == c) lx->pos++;
    } else if (word_char(c) && c != '.') {
        t.kind = TK_WORD;
        while (lx->pos < lx->size && word_char(s[lx->pos])) lx->pos++;
    } else {
        t.kind = TK_PUNCT;
        lx->pos++;
        for (i = 0; i < sizeof puncts / sizeof *puncts; i++) {
            size_t n = strlen(puncts[i]);
            if (t.off + n <= lx->size && memcmp(s + t.off, puncts[i], n) == 0) {
                lx->pos = t.off + (uint32_t)n;
                break;
            }
        }
    }
    t.len = lx->pos - t.off;
    return t;
}

static bool tok_is(const struct lexer *lx, struct tok t, const char *s)
{
    return t.kind != TK_END && strlen(s) == t.len && memcmp(lx->s + t.off, s, t.len) == 0;
}

/* Start and end file offsets of a cursor's extent; false unless both are in the current file
 * and in order. */
static bool extent_off(struct walk *w, CXCursor c, uint32_t *a, uint32_t *b)
{
    CXSourceRange r = clang_getCursorExtent(c);
    return file_off(w, clang_getRangeStart(r), a) && file_off(w, clang_getRangeEnd(r), b) && *a < *b;
}

/* ------------------------------------------------------------------ children and IR */

static enum CXChildVisitResult kid_cb(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    if (w->nkids == w->capkids &&
        ca_grow((void **)&w->kids, &w->capkids, w->nkids + 1, sizeof *w->kids) != CA_OK) {
        w->st = CA_ERR_NOMEM;
        return CXChildVisit_Break;
    }
    w->kids[w->nkids++] = c;
    return CXChildVisit_Continue;
}

/* Push the children of `c` on w->kids; returns their count, *base is where they start.  The
 * caller pops them (w->nkids = base).  Read them with KID: the stack may move while walking. */
static size_t kids_push(struct walk *w, CXCursor c, size_t *base)
{
    *base = w->nkids;
    clang_visitChildren(c, kid_cb, w);
    return w->nkids - *base;
}
#define KID(w, base, i) ((w)->kids[(base) + (i)])

/* The only child of a one-child cursor, or a null cursor. */
static CXCursor only_kid(struct walk *w, CXCursor c)
{
    size_t base, n = kids_push(w, c, &base);
    CXCursor k = n == 1 ? KID(w, base, 0) : clang_getNullCursor();
    w->nkids = base;
    return k;
}

static uint32_t ir_node(struct walk *w, enum ca_ir_kind kind, uint32_t flags, uint32_t ref, const char *label,
                        const struct list *children)
{
    uint32_t idx;
    if (w->st) return CA_NONE;
    w->st = ca_facts_add_ir(w->f, kind, flags, ref, NULL, &idx);
    if (w->st) return CA_NONE;
    w->f->ir[idx].label = label; /* already in the arena: not copied twice */
    if (children) w->f->ir[idx].first_child = children->first;
    return idx;
}

/* Node `n` (may be CA_NONE) located at statement `c`'s keyword; returns n. */
static uint32_t ir_at(struct walk *w, CXCursor c, uint32_t n)
{
    if (n != CA_NONE) exp_loc(w, clang_getCursorLocation(c), &w->f->ir[n].loc, NULL);
    return n;
}

static void list_add(struct walk *w, struct list *l, uint32_t n)
{
    if (n == CA_NONE) return;
    if (l->last == CA_NONE)
        l->first = n;
    else
        w->f->ir[l->last].next_sibling = n;
    l->last = n;
}

static void list_cat(struct walk *w, struct list *l, const struct list *m)
{
    if (m->first == CA_NONE) return;
    if (l->last == CA_NONE)
        l->first = m->first;
    else
        w->f->ir[l->last].next_sibling = m->first;
    l->last = m->last;
}

/* An alternative of a BRANCH: nothing, its single node, or a SEQ of its nodes. */
static uint32_t ir_arm(struct walk *w, const struct list *l)
{
    if (l->first == CA_NONE) return CA_NONE;
    if (l->first == l->last) return l->first;
    return ir_node(w, CA_IR_SEQ, 0, CA_NONE, NULL, l);
}

/* BRANCH over up to two arms; dropped when both are empty.  MAY_SKIP when an arm is missing. */
static uint32_t ir_branch(struct walk *w, struct list *out, const struct list *a, const struct list *b, bool skip)
{
    struct list arms = LIST_EMPTY;
    uint32_t n;
    list_add(w, &arms, ir_arm(w, a));
    list_add(w, &arms, ir_arm(w, b));
    if (arms.first == CA_NONE) return CA_NONE;
    if (a->first == CA_NONE || b->first == CA_NONE) skip = true;
    n = ir_node(w, CA_IR_BRANCH, skip ? CA_IR_MAY_SKIP : 0, CA_NONE, NULL, &arms);
    list_add(w, out, n);
    return n;
}

/* A node whose children are SEQ nodes of the given lists (kept even when empty). */
static uint32_t ir_seqs(struct walk *w, enum ca_ir_kind kind, uint32_t flags, uint32_t ref,
                        const struct list *parts, size_t nparts)
{
    struct list seqs = LIST_EMPTY;
    size_t i;
    for (i = 0; i < nparts; i++) list_add(w, &seqs, ir_node(w, CA_IR_SEQ, 0, CA_NONE, NULL, &parts[i]));
    return ir_node(w, kind, flags, ref, NULL, &seqs);
}

/* ------------------------------------------------------------------ adding facts
 * Strings are interned in the arena already; they are set after the builder call so that the
 * builder does not copy them again. */

static uint32_t add_call(struct walk *w, const struct ca_fact_call *v)
{
    struct ca_fact_call c = *v;
    uint32_t idx;
    c.name = c.macro = c.fptype = c.field = NULL;
    if (w->st || (w->st = ca_facts_add_call(w->f, &c, &idx)) != CA_OK) return CA_NONE;
    w->f->calls[idx].name = v->name;
    w->f->calls[idx].macro = v->macro;
    w->f->calls[idx].fptype = v->fptype;
    w->f->calls[idx].field = v->field;
    return idx;
}

static uint32_t add_fnref(struct walk *w, const struct ca_fact_fnref *v)
{
    struct ca_fact_fnref c = *v;
    uint32_t idx;
    c.name = c.holder_type = c.fntype = c.field = NULL;
    if (w->st || (w->st = ca_facts_add_fnref(w->f, &c, &idx)) != CA_OK) return CA_NONE;
    w->f->fnrefs[idx].name = v->name;
    w->f->fnrefs[idx].holder_type = v->holder_type;
    w->f->fnrefs[idx].fntype = v->fntype;
    w->f->fnrefs[idx].field = v->field;
    return idx;
}

/* Adds interned `name` to the set of file-scope globals recorded; false when it is there
 * already (a tentative definition and the definition of one variable) or on failure. */
static bool gname_add(struct walk *w, const char *name)
{
    size_t i;
    if (w->st || !name) return false;
    if (2 * (w->ngnames + 1) > w->capgnames) {
        size_t cap = w->capgnames ? w->capgnames * 2 : 64, j;
        const char **slot = ca_calloc(cap, sizeof *slot);
        if (!slot) {
            w->st = CA_ERR_NOMEM;
            return false;
        }
        for (j = 0; j < w->capgnames; j++) {
            if (!w->gnames[j]) continue;
            for (i = ((uintptr_t)w->gnames[j] >> 3) & (cap - 1); slot[i]; i = (i + 1) & (cap - 1)) {}
            slot[i] = w->gnames[j];
        }
        ca_free(w->gnames);
        w->gnames = slot;
        w->capgnames = cap;
    }
    for (i = ((uintptr_t)name >> 3) & (w->capgnames - 1); w->gnames[i]; i = (i + 1) & (w->capgnames - 1))
        if (w->gnames[i] == name) return false;
    w->gnames[i] = name;
    w->ngnames++;
    return true;
}

static enum CXVisitorResult first_field_cb(CXCursor c, CXClientData data)
{
    *(CXCursor *)data = c;
    return CXVisit_Break;
}

/* Does a variable of canonical type `t` (arrays stripped) hold Python objects: a pointer to
 * PyObject ("struct _object") or to a record whose first field is ob_base (PyObject_HEAD,
 * PyObject_VAR_HEAD: PyTypeObject, PyTupleObject, an extension's own object struct)? */
static bool holds_pyobject(CXType t)
{
    CXCursor first = clang_getNullCursor();
    CXString s;
    const char *c;
    bool py;
    if (t.kind != CXType_Pointer) return false;
    t = clang_getCanonicalType(clang_getPointeeType(t));
    if (t.kind != CXType_Record) return false;
    s = clang_getTypeSpelling(t);
    c = clang_getCString(s);
    py = c && (strcmp(bare_type(c), "_object") == 0 || strcmp(bare_type(c), "PyObject") == 0);
    clang_disposeString(s);
    if (py) return true;
    clang_Type_visitFields(t, first_field_cb, &first); /* an incomplete struct has none */
    if (clang_Cursor_isNull(first)) return false;
    s = clang_getCursorSpelling(first);
    c = clang_getCString(s);
    py = c && strcmp(c, "ob_base") == 0;
    clang_disposeString(s);
    return py;
}

/* A variable with static storage: a file-scope definition (static_local false) or a static
 * local of the current function, in the current file (w->cur).  A file-scope name is recorded
 * once, at its first definition.  Thread-local variables are not shared: not recorded. */
static void add_global(struct walk *w, CXCursor var, bool static_local)
{
    struct ca_fact_global g;
    CXType t;
    const char *name;
    uint32_t idx;
    if (clang_getCursorTLSKind(var) != CXTLS_None) return;
    name = take(w, clang_getCursorSpelling(var));
    if (!static_local && !gname_add(w, name)) return;
    if (w->st) return;
    memset(&g, 0, sizeof g);
    exp_loc(w, clang_getCursorLocation(var), &g.loc, NULL);
    /* a canonical array carries its element's qualifiers itself: const is looked for at each level */
    t = clang_getCanonicalType(clang_getCursorType(var));
    g.is_const = clang_isConstQualifiedType(t) != 0;
    while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray || t.kind == CXType_VariableArray ||
           t.kind == CXType_DependentSizedArray) {
        t = clang_getCanonicalType(clang_getArrayElementType(t));
        g.is_const |= clang_isConstQualifiedType(t) != 0;
    }
    g.is_static = static_local || clang_getCursorLinkage(var) == CXLinkage_Internal;
    g.pyobject = holds_pyobject(t);
    g.is_static_local = static_local;
    g.func = static_local ? w->func : CA_NONE;
    if ((w->st = ca_facts_add_global(w->f, &g, &idx)) != CA_OK) return;
    w->f->globals[idx].name = name;
    w->f->globals[idx].file = w->cur->display;
}

static void add_write(struct walk *w, CXCursor at, const struct lvtarget *t)
{
    struct ca_fact_write c = {w->func, w->loop, {0, 0}, NULL, t->static_local};
    const char *name = take(w, clang_getCursorSpelling(t->var));
    uint32_t idx;
    exp_loc(w, clang_getCursorLocation(at), &c.loc, NULL);
    if (w->st || (w->st = ca_facts_add_write(w->f, &c, &idx)) != CA_OK) return;
    w->f->writes[idx].name = name;
}

static void add_diag(struct walk *w, const char *file, unsigned line, unsigned col, const char *msg)
{
    struct ca_fact_diag d = {NULL, {line, col}, NULL};
    uint32_t idx;
    if (w->st || (w->st = ca_facts_add_diag(w->f, &d, &idx)) != CA_OK) return;
    w->f->diags[idx].file = file;
    w->f->diags[idx].message = msg;
}

static void count_op(struct walk *w)
{
    if (w->loop != CA_NONE) w->f->loops[w->loop].ops++;
}

/* ------------------------------------------------------------------ operators
 * libclang 14 has no operator-kind API, so the operator of a binary expression is the one token
 * between its operands in the file's text.  When an operand comes from a macro body that
 * text does not exist; callers then fall back on types (see binop_fallback). */

enum bop { BOP_UNKNOWN, BOP_ASSIGN, BOP_LOGICAL, BOP_LT, BOP_LE, BOP_GT, BOP_GE, BOP_NE, BOP_EQ, BOP_COMMA, BOP_OTHER };

/* The operator between two operands: the only token between them in the current file's text. */
static enum bop binop_kind(struct walk *w, CXCursor lhs, CXCursor rhs)
{
    static const struct {
        const char *s;
        enum bop op;
    } ops[] = {{"=", BOP_ASSIGN}, {"&&", BOP_LOGICAL}, {"||", BOP_LOGICAL}, {"<", BOP_LT}, {"<=", BOP_LE},
               {">", BOP_GT},     {">=", BOP_GE},      {"!=", BOP_NE},      {"==", BOP_EQ},
               {",", BOP_COMMA}};
    struct lexer lx;
    struct tok t;
    uint32_t a, b;
    size_t i;
    if (!file_off(w, clang_getRangeEnd(clang_getCursorExtent(lhs)), &a) ||
        !file_off(w, clang_getRangeStart(clang_getCursorExtent(rhs)), &b) || !lexer_init(w, &lx, a, b))
        return BOP_UNKNOWN;
    t = lex(&lx);
    if (t.kind != TK_PUNCT || t.off + t.len > b || lex(&lx).kind != TK_END) return BOP_UNKNOWN;
    /* f(a, b) inside a macro: the "," between two arguments is not the operator */
    if (tok_is(&lx, t, ",") && macro_at(w, a)) return BOP_UNKNOWN;
    for (i = 0; i < sizeof ops / sizeof *ops; i++)
        if (tok_is(&lx, t, ops[i].s)) return ops[i].op;
    return BOP_OTHER;
}

/* The two operands of a binary operator cursor; false when it has not exactly two children. */
static bool operands(struct walk *w, CXCursor bin, CXCursor *l, CXCursor *r)
{
    size_t base, n = kids_push(w, bin, &base);
    if (n == 2) {
        *l = KID(w, base, 0);
        *r = KID(w, base, 1);
    }
    w->nkids = base;
    return n == 2;
}

static bool same_type(CXCursor a, CXCursor b)
{
    return clang_equalTypes(clang_getCanonicalType(clang_getCursorType(a)),
                            clang_getCanonicalType(clang_getCursorType(b)));
}

/* Operator unknown (macro body): an expression statement whose type is its left operand's is
 * taken for an assignment (`(op) = NULL;` in Py_CLEAR); anything else for a plain operator,
 * so calls on the right of a macro-made && or || count as always executed. */
static enum bop binop_fallback(CXCursor c, CXCursor lhs, struct ectx cx)
{
    return (cx.mode & M_STMT) && same_type(c, lhs) ? BOP_ASSIGN : BOP_OTHER;
}

/* Unary & yields a pointer to its operand's type; no other unary operator does. */
static bool is_addr_of(CXCursor c, CXCursor operand)
{
    CXType t = clang_getCanonicalType(clang_getCursorType(c));
    if (t.kind != CXType_Pointer) return false;
    return clang_equalTypes(clang_getCanonicalType(clang_getPointeeType(t)),
                            clang_getCanonicalType(clang_getCursorType(operand)));
}

/* Unary * yields its operand's pointee type.  (`!p` on an int * looks the same; it cannot be
 * on an lvalue path, so mistaking it costs nothing.) */
static bool is_deref(CXCursor c, CXCursor operand)
{
    CXType t = clang_getCanonicalType(clang_getCursorType(operand));
    if (t.kind != CXType_Pointer) return false;
    return clang_equalTypes(clang_getCanonicalType(clang_getPointeeType(t)),
                            clang_getCanonicalType(clang_getCursorType(c)));
}

/* Is this unary operator ++ or --?  Prefix: its first token is the operator; postfix: its
 * first token is the operand's and its last is ++ or --. */
static bool is_incdec(struct walk *w, CXCursor c, CXCursor operand, struct ectx cx)
{
    static const char *const prefix[] = {"-", "+", "!", "~", "*", "&"};
    struct lexer lx;
    struct tok t, first, last;
    uint32_t a, b;
    size_t j;
    if (!extent_off(w, c, &a, &b) || macro_begins_at(w, a) || !lexer_init(w, &lx, a, b))
        return (cx.mode & M_STMT) && same_type(c, operand); /* macro body: see binop_fallback */
    first = last = lex(&lx);
    while ((t = lex(&lx)).kind != TK_END) last = t;
    if (tok_is(&lx, first, "++") || tok_is(&lx, first, "--")) return true;
    for (j = 0; j < sizeof prefix / sizeof *prefix; j++)
        if (tok_is(&lx, first, prefix[j])) return false;
    return tok_is(&lx, last, "++") || tok_is(&lx, last, "--");
}

/* ------------------------------------------------------------------ variables */

/* Is `var` (a VarDecl) global or a static local?  Block-scope extern counts as global. */
static bool global_var(CXCursor var, bool *static_local)
{
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(var);
    *static_local = false;
    if (clang_getCursorKind(clang_getCursorSemanticParent(var)) == CXCursor_TranslationUnit) return true;
    if (sc == CX_SC_Extern) return true;
    if (sc == CX_SC_Static) {
        *static_local = true;
        return true;
    }
    return false;
}

/* Context of a function-name reference inside a static initialiser. */
struct sinit {
    struct walk *w;
    CXCursor var;
    uint32_t func;
    const char *holder;       /* computed at the first reference */
    const struct ca_loc *at;  /* where every reference is placed; NULL: where it is written */
};

/* A function name `c` in the initialiser, inside field `field` (a null cursor when none). */
static void sinit_ref(struct sinit *s, CXCursor c, CXCursor field)
{
    struct walk *w = s->w;
    CXCursor d = clang_getCursorReferenced(c);
    struct ca_fact_fnref r = {CA_FNREF_INIT, NULL, s->func, CA_NONE, CA_NONE, NULL, {0, 0}, NULL, NULL};
    if (clang_getCursorKind(d) != CXCursor_FunctionDecl) return;
    if (!s->holder) {
        /* the element type: arrays stripped, then qualifiers and tag keywords; a typedef keeps
         * its own name ("PyMethodDef", not "struct PyMethodDef") */
        CXType t = clang_getCursorType(s->var);
        while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
               t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray)
            t = clang_getArrayElementType(t);
        s->holder = take_str(w, clang_getTypeSpelling(t), true);
    }
    r.name = take(w, clang_getCursorSpelling(d));
    r.holder_type = s->holder;
    r.fntype = fn_type(w, clang_getCursorType(d));
    if (!clang_Cursor_isNull(field)) {
        r.field = take(w, clang_getCursorSpelling(field));
        if (r.field && !*r.field) r.field = NULL; /* an unnamed member */
    }
    if (s->at)
        r.loc = *s->at;
    else
        exp_loc(w, clang_getCursorLocation(c), &r.loc, NULL);
    add_fnref(w, &r);
}

static enum CXVisitorResult field_cb(CXCursor c, CXClientData data)
{
    struct walk *w = data;
    struct ifield f;
    CXType t;
    if (w->st) return CXVisit_Break;
    t = clang_getCanonicalType(clang_getCursorType(c));
    f.c = c;
    f.aggregate = t.kind == CXType_Record || t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray;
    CA_PUSH(w->st, w->fields, w->nfields, w->capfields, f);
    return w->st ? CXVisit_Break : CXVisit_Continue;
}

/* The frame of node `c` (of kind k) of a static initialiser, which lies in field `field`; a
 * struct or union initialiser list gets the fields of its record.  Nodes without children are
 * left off the path unless `root`. */
static void sinit_node(struct sinit *s, CXCursor c, enum CXCursorKind k, CXCursor field, bool root)
{
    struct walk *w = s->w;
    struct iframe fr;
    if (k == CXCursor_DeclRefExpr) {
        sinit_ref(s, c, field);
        if (!root) return;
    } else if (!root && (k == CXCursor_IntegerLiteral || k == CXCursor_StringLiteral ||
                         k == CXCursor_CharacterLiteral || k == CXCursor_FloatingLiteral)) {
        return;
    }
    memset(&fr, 0, sizeof fr);
    fr.c = c;
    fr.field = field;
    fr.fbase = (uint32_t)w->nfields;
    if (k == CXCursor_InitListExpr) {
        CXType t = clang_getCanonicalType(clang_getCursorType(c));
        if (t.kind == CXType_Record) {
            fr.record = true;
            clang_Type_visitFields(t, field_cb, w);
            fr.nf = (uint32_t)w->nfields - fr.fbase;
        }
    }
    if (!w->st) CA_PUSH(w->st, w->frames, w->nframes, w->capframes, fr);
}

/* The field that child `c` (of kind k) of frame `p` (the top of the path) lies in.
 * - in a struct or union list, a positional child initialises the field after the previous
 *   one; a designated child (an expression whose first children are MemberRef designators,
 *   met right after it) its innermost designator's field, and positional children continue
 *   after the first designator's field.  After a nested designator (.a.b = x: the next child
 *   goes on inside a) or a brace elision (a scalar child where the field is an aggregate: the
 *   children now fill that aggregate's members) the position is not followed: NULL;
 * - anywhere else a child lies in its parent's field (array elements, casts, &f). */
static CXCursor kid_field(struct walk *w, struct iframe *p, CXCursor c, enum CXCursorKind k)
{
    const struct ifield *f;
    CXType t;
    p->nkids++;
    if (k == CXCursor_MemberRef) {
        struct iframe *l = w->nframes >= 2 ? &w->frames[w->nframes - 2] : NULL;
        if (l && l->record && p->ndesig + 1 == p->nkids && clang_getCursorKind(p->c) == CXCursor_UnexposedExpr) {
            CXCursor fd = clang_getCursorReferenced(c);
            uint32_t i;
            l->next = UNSURE;
            if (p->ndesig++ == 0)
                for (i = 0; i < l->nf; i++)
                    if (clang_equalCursors(w->fields[l->fbase + i].c, fd)) {
                        l->next = i + 1;
                        break;
                    }
            p->field = fd;
        }
        return clang_getNullCursor();
    }
    if (!p->record) return p->field;
    if (p->next == UNSURE || p->next >= p->nf) return clang_getNullCursor();
    f = &w->fields[p->fbase + p->next++];
    if (f->aggregate) {
        /* a designated child (of type void) lands here too: its designator resets the position */
        t = clang_getCanonicalType(clang_getCursorType(c));
        if (t.kind != CXType_Record && t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray) {
            p->next = UNSURE;
            return clang_getNullCursor();
        }
    }
    return f->c;
}

/* One recursive visit of the initialiser.  The path is kept by popping frames until the top is
 * the visited node's parent (libclang visits in depth-first order and passes the parent). */
static enum CXChildVisitResult sinit_cb(CXCursor c, CXCursor parent, CXClientData data)
{
    struct sinit *s = data;
    struct walk *w = s->w;
    enum CXCursorKind k = clang_getCursorKind(c);
    CXCursor field;
    while (w->nframes > 1 && !clang_equalCursors(w->frames[w->nframes - 1].c, parent))
        w->nfields = w->frames[--w->nframes].fbase;
    field = kid_field(w, &w->frames[w->nframes - 1], c, k);
    sinit_node(s, c, k, field, false);
    return w->st ? CXChildVisit_Break : CXChildVisit_Recurse;
}

/* Can a variable of type `t` hold a function's address?  Not when it is a number or an array
 * of numbers: a function name cast to an integer in a table is not worth visiting the 100,000
 * entries of a data table (unicodename_db.h, the CJK mappings) for. */
static bool may_hold_fn(CXType t)
{
    while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
           t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray)
        t = clang_getArrayElementType(t);
    t = clang_getCanonicalType(t);
    return !((t.kind >= CXType_FirstBuiltin && t.kind <= CXType_LastBuiltin) || t.kind == CXType_Enum);
}

/* Function names in the initialiser of a file-scope or static variable (method tables, type
 * slots, static callbacks): INIT fnrefs with the field they initialise, placed at `at` when not
 * NULL.  Such initialisers are constant: no calls, no IR. */
static void static_init(struct walk *w, CXCursor var, uint32_t func, const struct ca_loc *at)
{
    struct sinit s;
    CXCursor init = clang_Cursor_getVarDeclInitializer(var);
    if (clang_Cursor_isNull(init) || !may_hold_fn(clang_getCursorType(var))) return;
    s.w = w;
    s.var = var;
    s.func = func;
    s.holder = NULL;
    s.at = at;
    w->nframes = w->nfields = 0;
    sinit_node(&s, init, clang_getCursorKind(init), clang_getNullCursor(), true);
    if (!w->st) clang_visitChildren(init, sinit_cb, &s);
    w->nframes = w->nfields = 0;
}

/* ------------------------------------------------------------------ expressions */

/* Parentheses and implicit casts stripped. */
static CXCursor strip(struct walk *w, CXCursor c)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    while (k == CXCursor_ParenExpr || k == CXCursor_UnexposedExpr) {
        CXCursor in = only_kid(w, c);
        if (clang_Cursor_isNull(in)) break;
        c = in;
        k = clang_getCursorKind(c);
    }
    return c;
}

/* Is the argument `c`, after parentheses and casts, the integer constant 0: a literal (also
 * one a macro expands to, NOWAIT_LOCK) or an enumerator of value 0?  Only these are evaluated,
 * so that the cost stays one cursor kind per argument. */
static bool is_zero(struct walk *w, CXCursor c)
{
    long long v;
    enum CXCursorKind k;
    c = strip(w, c);
    while ((k = clang_getCursorKind(c)) == CXCursor_CStyleCastExpr || k == CXCursor_ParenExpr) {
        size_t b, m = kids_push(w, c, &b); /* (Py_ssize_t)0: a TypeRef, then the operand */
        CXCursor in = m ? KID(w, b, m - 1) : clang_getNullCursor();
        w->nkids = b;
        if (clang_Cursor_isNull(in)) return false;
        c = strip(w, in);
    }
    if (k == CXCursor_IntegerLiteral) return eval_int(c, &v) && v == 0;
    if (k == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        return clang_getCursorKind(d) == CXCursor_EnumConstantDecl && clang_getEnumConstantDeclValue(d) == 0;
    }
    return false;
}

/* The member an indirect call goes through: st->fn(x), tbl[i].fn(x), (*st->fn)(x) (callee
 * already stripped of parentheses, casts and *), or the array member of st->fns[i](x); NULL
 * for any other callee (a variable, a parameter, an element of an array variable). */
static const char *callee_field(struct walk *w, CXCursor callee)
{
    enum CXCursorKind k = clang_getCursorKind(callee);
    if (k == CXCursor_ArraySubscriptExpr) {
        size_t base, n = kids_push(w, callee, &base);
        CXCursor arr = n == 2 ? KID(w, base, 0) : clang_getNullCursor();
        w->nkids = base;
        if (clang_Cursor_isNull(arr)) return NULL;
        callee = strip(w, arr);
        k = clang_getCursorKind(callee);
    }
    return k == CXCursor_MemberRefExpr ? take(w, clang_getCursorSpelling(callee)) : NULL;
}

/* f(args): the call fact first (so calls are numbered in source order), then a CALL node whose
 * children are the callee's and the arguments' own nodes, which run before it. */
static void walk_call(struct walk *w, CXCursor c, struct list *out)
{
    struct ca_fact_call call = {w->func, w->loop, {0, 0}, NULL, NULL, 0, 0, 0, NULL, NULL};
    struct list args = LIST_EMPTY;
    CXCursor ref = clang_getCursorReferenced(c), callee = clang_getNullCursor();
    size_t base, n = kids_push(w, c, &base), i;
    uint32_t off, idx;
    int nargs = clang_Cursor_getNumArguments(c);

    if (exp_loc(w, clang_getCursorLocation(c), &call.loc, &off)) call.macro = macro_at(w, off);
    if (call.macro) {
        /* Written by the user in a macro's arguments (CHECK(read(...)), Py_MIN(a, f(x))): the
         * call is the user's, not the macro's, so the macro's role must not apply to it. */
        uint32_t written;
        if (file_off(w, clang_getCursorLocation(c), &written) && !macro_begins_at(w, written)) call.macro = NULL;
        else call.flags |= CA_CALL_IN_MACRO;
    }
    call.nargs = nargs > 0 ? (uint32_t)nargs : 0;
    if (clang_getCursorKind(ref) != CXCursor_FunctionDecl && n) {
        /* (f)(x), (*f)(x): libclang does not see through these; a named function is direct */
        callee = strip(w, KID(w, base, 0));
        if (clang_getCursorKind(callee) == CXCursor_UnaryOperator) callee = strip(w, only_kid(w, callee));
        if (clang_getCursorKind(callee) == CXCursor_DeclRefExpr) ref = clang_getCursorReferenced(callee);
    }
    if (clang_getCursorKind(ref) == CXCursor_FunctionDecl) {
        call.name = take(w, clang_getCursorSpelling(ref));
        if (declared_by_python(w, ref)) call.flags |= CA_CALL_PYDECL;
        for (i = 1; i < n && i <= 32; i++)
            if (is_zero(w, KID(w, base, i))) call.zero_args |= 1u << (i - 1);
    } else {
        /* through a pointer: the callee's own text, "" when it has none in the current file
         * (it comes from a macro body, so its range is the whole macro use) */
        uint32_t a, b, ca, cb;
        struct lexer lx;
        struct tok t;
        struct ca_buf text;
        call.flags |= CA_CALL_INDIRECT;
        ca_buf_init(&text);
        if (n && extent_off(w, KID(w, base, 0), &a, &b) && !(extent_off(w, c, &ca, &cb) && ca == a && cb == b) &&
            lexer_init(w, &lx, a, b))
            while ((t = lex(&lx)).kind != TK_END) ca_buf_putn(&text, lx.s + t.off, t.len);
        if (text.failed) w->st = CA_ERR_NOMEM;
        call.name = intern(w, text.data ? text.data : "");
        ca_buf_fini(&text);
        if (n) call.fptype = fn_type(w, clang_getCursorType(KID(w, base, 0)));
        call.field = callee_field(w, callee);
    }
    idx = add_call(w, &call);
    w->recent[w->nrecent % 8].expr = c;
    w->recent[w->nrecent++ % 8].call = idx;
    for (i = 0; i < n && !w->st; i++) {
        struct ectx cx = {i ? M_ARG : M_CALLEE, idx, (uint32_t)i - 1};
        walk(w, KID(w, base, i), &args, cx);
    }
    w->nkids = base;
    list_add(w, out, ir_node(w, CA_IR_CALL, 0, idx, NULL, &args));
}

/* Is `var` the C library's stdout or stderr?  glibc and musl declare `extern FILE *stdout;`
 * (and #define stdout stdout); the BSDs and macOS #define stdout __stdoutp.  Only extern
 * variables are spelled, so a local named stdout does not count. */
static bool std_stream(CXCursor var)
{
    static const char *const names[] = {"stdout", "stderr", "__stdoutp", "__stderrp"};
    CXString s;
    const char *c;
    bool found = false;
    size_t i;
    if (clang_Cursor_getStorageClass(var) != CX_SC_Extern) return false;
    s = clang_getCursorSpelling(var);
    c = clang_getCString(s);
    for (i = 0; c && i < sizeof names / sizeof *names && !found; i++) found = strcmp(c, names[i]) == 0;
    clang_disposeString(s);
    return found;
}

/* A use of a name: a function name that is not called is a fnref; a global or static variable
 * at the end of an lvalue path is the target of the enclosing assignment; stdout or stderr as
 * an argument marks the call CA_CALL_STDSTREAM. */
static void walk_ref(struct walk *w, CXCursor c, struct ectx cx)
{
    CXCursor d = clang_getCursorReferenced(c);
    enum CXCursorKind k = clang_getCursorKind(d);
    if (k == CXCursor_FunctionDecl && !(cx.mode & M_CALLEE)) {
        struct ca_fact_fnref r = {CA_FNREF_OTHER, NULL, w->func, CA_NONE, CA_NONE, NULL, {0, 0}, NULL, NULL};
        uint32_t idx;
        if (cx.mode & M_ARG) {
            r.ctx = CA_FNREF_ARG;
            r.call = cx.call;
            r.arg = cx.arg;
        } else if (cx.mode & (M_RHS | M_INIT)) {
            r.ctx = CA_FNREF_ASSIGN; /* M_RHS: tentative, walk_binop checks the operator */
        }
        r.name = take(w, clang_getCursorSpelling(d));
        r.fntype = fn_type(w, clang_getCursorType(d));
        exp_loc(w, clang_getCursorLocation(c), &r.loc, NULL);
        idx = add_fnref(w, &r);
        if (cx.mode & M_RHS) w->rhs_fnref = idx;
    } else if (k == CXCursor_VarDecl) {
        bool sl;
        if ((cx.mode & M_ARG) && cx.call < w->f->ncalls && std_stream(d))
            w->f->calls[cx.call].flags |= CA_CALL_STDSTREAM;
        if ((cx.mode & M_LV) && global_var(d, &sl)) {
            w->lv.found = true;
            w->lv.static_local = sl;
            w->lv.var = d;
        }
    }
}

/* ------------------------------------------------------------------ tests of a call's result
 * `pid = fork(); if (pid == 0) { ... }`: the BRANCH records which path runs when the call
 * returned 0 (CA_IR_ZERO_*).  The front end does not know which calls fork; the catalog does. */

/* The call added for the CallExpr `e` (still in the ring of recent calls), or CA_NONE. */
static uint32_t call_of_expr(struct walk *w, CXCursor e)
{
    for (unsigned i = 0; i < 8 && i < w->nrecent; i++)
        if (clang_equalCursors(w->recent[i].expr, e)) return w->recent[i].call;
    return CA_NONE;
}

/* The local variable `e` refers to (a DeclRefExpr to a non-static block-scope VarDecl), or null. */
static CXCursor local_var(struct walk *w, CXCursor e)
{
    CXCursor d;
    e = strip(w, e);
    if (clang_getCursorKind(e) != CXCursor_DeclRefExpr) return clang_getNullCursor();
    d = clang_getCursorReferenced(e);
    if (clang_getCursorKind(d) != CXCursor_VarDecl || clang_Cursor_getStorageClass(d) == CX_SC_Static ||
        clang_getCursorKind(clang_getCursorSemanticParent(d)) != CXCursor_FunctionDecl)
        return clang_getNullCursor();
    return d;
}

/* The slot of a local that holds a call's result, or w->nassigned. */
static unsigned assigned_slot(const struct walk *w, CXCursor var)
{
    unsigned i;
    for (i = 0; i < w->nassigned && !clang_equalCursors(w->assigned[i].var, var); i++) {}
    return i;
}

/* var = the call made by `rhs` (after parentheses), or forget what var held. */
static void remember_assign(struct walk *w, CXCursor var, CXCursor rhs)
{
    uint32_t call = CA_NONE;
    unsigned i = assigned_slot(w, var);
    rhs = strip(w, rhs);
    if (clang_getCursorKind(rhs) == CXCursor_CallExpr) call = call_of_expr(w, rhs);
    if (i == w->nassigned) {
        if (call == CA_NONE || i == sizeof w->assigned / sizeof *w->assigned) return;
        w->assigned[w->nassigned++].var = var;
    }
    w->assigned[i].call = call;
}

/* The call whose result `e` is: f(...), (v = f(...)), or a local v last assigned f(...). */
static uint32_t value_call(struct walk *w, CXCursor e)
{
    CXCursor v;
    e = strip(w, e);
    switch (clang_getCursorKind(e)) {
    case CXCursor_CallExpr: return call_of_expr(w, e);
    case CXCursor_BinaryOperator: {
        CXCursor l, r;
        return operands(w, e, &l, &r) && binop_kind(w, l, r) == BOP_ASSIGN ? value_call(w, r) : CA_NONE;
    }
    case CXCursor_DeclRefExpr:
        v = local_var(w, e);
        if (clang_Cursor_isNull(v)) return CA_NONE;
        {
            unsigned i = assigned_slot(w, v);
            return i < w->nassigned ? w->assigned[i].call : CA_NONE;
        }
    default: return CA_NONE;
    }
}

/* Is `c` the unary operator `!`?  Its first token, in the current file's text. */
static bool is_not(struct walk *w, CXCursor c)
{
    struct lexer lx;
    uint32_t a, b;
    return extent_off(w, c, &a, &b) && !macro_begins_at(w, a) && lexer_init(w, &lx, a, b) && tok_is(&lx, lex(&lx), "!");
}

/* For `if (cond)`: the call whose result cond compares with 0, and whether its then-arm (0) or
 * its else-arm (1) runs when that result is 0; -1 when cond is no such test. */
static int zero_arm(struct walk *w, CXCursor cond, uint32_t *call)
{
    CXCursor c = strip(w, cond);
    int arm = -1;
    *call = CA_NONE;
    switch (clang_getCursorKind(c)) {
    case CXCursor_UnaryOperator: /* !v */
        if (is_not(w, c) && (*call = value_call(w, only_kid(w, c))) != CA_NONE) arm = 0;
        break;
    case CXCursor_BinaryOperator: { /* v == 0, 0 == v, v != 0, 0 != v */
        CXCursor l, r;
        enum bop op;
        if (!operands(w, c, &l, &r)) break;
        op = binop_kind(w, l, r);
        if (op == BOP_ASSIGN) { /* if ((v = f())) */
            if ((*call = value_call(w, c)) != CA_NONE) arm = 1;
            break;
        }
        if (op != BOP_EQ && op != BOP_NE) break;
        *call = is_zero(w, r) ? value_call(w, l) : is_zero(w, l) ? value_call(w, r) : CA_NONE;
        if (*call != CA_NONE) arm = op == BOP_EQ ? 0 : 1;
        break;
    }
    default: /* if (v), if ((v = f())) */
        if ((*call = value_call(w, c)) != CA_NONE) arm = 1;
        break;
    }
    return arm;
}

/* x OP y.  The left side is searched for an assignment target, the right side for a function
 * name; the operator is looked up only when one of them, or calls on the right, make it
 * matter.  x && y, x || y: nodes of x, then BRANCH(MAY_SKIP, y). */
static void walk_binop(struct walk *w, CXCursor c, struct list *out, struct ectx cx)
{
    size_t base, n = kids_push(w, c, &base);
    CXCursor lhs, rhs;
    struct lvtarget saved = w->lv, t;
    struct list right = LIST_EMPTY, none = LIST_EMPTY;
    uint32_t saved_fn = w->rhs_fnref, fn;
    enum bop op = BOP_OTHER;

    if (n != 2) { /* not seen in C; walk the children plainly */
        size_t i;
        for (i = 0; i < n; i++) walk(w, KID(w, base, i), out, (struct ectx){0, 0, 0});
        w->nkids = base;
        return;
    }
    lhs = KID(w, base, 0);
    rhs = KID(w, base, 1);
    w->nkids = base;
    count_op(w);
    w->lv.found = false;
    walk(w, lhs, out, (struct ectx){M_LV, 0, 0});
    t = w->lv;
    w->lv = saved;
    w->rhs_fnref = CA_NONE;
    walk(w, rhs, &right, (struct ectx){M_RHS, 0, 0});
    fn = w->rhs_fnref;
    w->rhs_fnref = saved_fn;
    if (w->st) return;

    if (t.found || fn != CA_NONE || right.first != CA_NONE) {
        op = binop_kind(w, lhs, rhs);
        if (op == BOP_UNKNOWN) op = binop_fallback(c, lhs, cx);
    }
    if (t.found && op == BOP_ASSIGN) add_write(w, c, &t);
    if (w->nassigned || clang_getCursorKind(strip(w, rhs)) == CXCursor_CallExpr) {
        CXCursor v = local_var(w, lhs);
        /* only a call stored, or a local that holds one overwritten, matters: read the operator
         * (it was read above only when it mattered there) for those alone */
        if (!clang_Cursor_isNull(v) &&
            (clang_getCursorKind(strip(w, rhs)) == CXCursor_CallExpr || assigned_slot(w, v) < w->nassigned)) {
            enum bop aop = t.found || fn != CA_NONE || right.first != CA_NONE ? op : binop_kind(w, lhs, rhs);
            if (aop == BOP_UNKNOWN) aop = binop_fallback(c, lhs, cx);
            if (aop == BOP_ASSIGN) remember_assign(w, v, rhs);
        }
    }
    if (fn != CA_NONE) {
        if (op != BOP_ASSIGN)
            w->f->fnrefs[fn].ctx = CA_FNREF_OTHER;
        else if (clang_getCursorKind(lhs) == CXCursor_MemberRefExpr)
            w->f->fnrefs[fn].holder_type = w->f->fnrefs[fn].field = take(w, clang_getCursorSpelling(lhs));
    }
    if (op == BOP_LOGICAL)
        ir_branch(w, out, &right, &none, true);
    else
        list_cat(w, out, &right);
}

/* x op= y: always an assignment. */
static void walk_compound_assign(struct walk *w, CXCursor c, struct list *out)
{
    size_t base, n = kids_push(w, c, &base);
    CXCursor lhs, rhs;
    struct lvtarget saved = w->lv, t;
    if (n != 2) {
        w->nkids = base;
        return;
    }
    lhs = KID(w, base, 0);
    rhs = KID(w, base, 1);
    w->nkids = base;
    count_op(w);
    w->lv.found = false;
    walk(w, lhs, out, (struct ectx){M_LV, 0, 0});
    t = w->lv;
    w->lv = saved;
    walk(w, rhs, out, (struct ectx){0, 0, 0});
    if (t.found && !w->st) add_write(w, c, &t);
}

/* Unary operators: & is not counted as an operation; ++/-- on a global is a write.  A * or &
 * on an lvalue path (*p = ..., (*p)++, (&s)->f = ...) passes its operand on to the enclosing
 * search; any other unary operator searches its own operand (-(g++) writes g). */
static void walk_unary(struct walk *w, CXCursor c, struct list *out, struct ectx cx)
{
    CXCursor op = only_kid(w, c);
    struct lvtarget saved = w->lv, t;
    bool addr;
    if (clang_Cursor_isNull(op)) return;
    addr = is_addr_of(c, op);
    if (!addr) count_op(w);
    if ((cx.mode & M_LV) && (addr || is_deref(c, op))) {
        walk(w, op, out, (struct ectx){M_LV, 0, 0});
        return;
    }
    w->lv.found = false;
    walk(w, op, out, (struct ectx){M_LV | (cx.mode & (M_CALLEE | M_ARG | M_RHS | M_INIT)), cx.call, cx.arg});
    t = w->lv;
    w->lv = saved;
    if (t.found && !addr && !w->st && is_incdec(w, c, op, cx)) add_write(w, c, &t);
}

/* c ? a : b: nodes of c, then BRANCH(a, b). */
static void walk_conditional(struct walk *w, CXCursor c, struct list *out)
{
    size_t base, n = kids_push(w, c, &base);
    CXCursor k[3];
    struct list a = LIST_EMPTY, b = LIST_EMPTY;
    size_t i;
    if (n != 3) {
        for (i = 0; i < n; i++) walk(w, KID(w, base, i), out, (struct ectx){0, 0, 0});
        w->nkids = base;
        return;
    }
    for (i = 0; i < 3; i++) k[i] = KID(w, base, i);
    w->nkids = base;
    walk(w, k[0], out, (struct ectx){0, 0, 0});
    walk(w, k[1], &a, (struct ectx){0, 0, 0});
    walk(w, k[2], &b, (struct ectx){0, 0, 0});
    ir_branch(w, out, &a, &b, false);
}

/* a[i], s.f, p->f: subscripts and arrows count as operations; the base continues an lvalue
 * path. */
static void walk_access(struct walk *w, CXCursor c, struct list *out, struct ectx cx, bool member)
{
    size_t base, n = kids_push(w, c, &base), i;
    if (n && w->loop != CA_NONE) {
        if (!member)
            count_op(w);
        else if (clang_getCanonicalType(clang_getCursorType(KID(w, base, 0))).kind == CXType_Pointer)
            count_op(w); /* -> */
    }
    for (i = 0; i < n; i++) walk(w, KID(w, base, i), out, (struct ectx){i == 0 ? cx.mode & M_LV : 0, 0, 0});
    w->nkids = base;
}

/* Every child in order with the given context (compound statements, parentheses, casts and
 * every kind without a rule of its own). */
static void walk_kids(struct walk *w, CXCursor c, struct list *out, struct ectx cx)
{
    size_t base, n = kids_push(w, c, &base), i;
    for (i = 0; i < n; i++) walk(w, KID(w, base, i), out, cx);
    w->nkids = base;
}

/* ------------------------------------------------------------------ statements */

/* int n = read(...): local initialisers run like statements; static locals only name functions. */
static void walk_decl_stmt(struct walk *w, CXCursor c, struct list *out)
{
    size_t base, n = kids_push(w, c, &base), i, vb, vn, j;
    for (i = 0; i < n && !w->st; i++) {
        CXCursor v = KID(w, base, i), init;
        enum CX_StorageClass sc;
        if (clang_getCursorKind(v) != CXCursor_VarDecl) continue;
        sc = clang_Cursor_getStorageClass(v);
        if (sc == CX_SC_Static) {
            add_global(w, v, true);
            static_init(w, v, w->func, NULL);
            continue;
        }
        if (sc == CX_SC_Extern) continue;
        init = clang_Cursor_getVarDeclInitializer(v);
        vn = kids_push(w, v, &vb); /* type references, VLA sizes, the initialiser */
        for (j = 0; j < vn; j++) {
            CXCursor k = KID(w, vb, j);
            walk(w, k, out, (struct ectx){clang_equalCursors(k, init) ? M_INIT : 0, 0, 0});
        }
        w->nkids = vb;
        if (!clang_Cursor_isNull(init)) remember_assign(w, v, init); /* pid_t pid = fork(); */
    }
    w->nkids = base;
}

enum { P_INIT, P_COND, P_INC, P_BODY };

/* The two ';' of a for header, by tokens from the `for` keyword to the body.  False when the
 * header is not text of the current file (the for statement comes from a macro body). */
static bool for_semis(struct walk *w, CXCursor c, CXCursor body, uint32_t semi[2])
{
    struct lexer lx;
    struct tok t;
    uint32_t kw, b;
    unsigned nsemi = 0, depth = 1;
    if (!file_off(w, clang_getCursorLocation(c), &kw) || macro_begins_at(w, kw) ||
        !file_off(w, clang_getRangeStart(clang_getCursorExtent(body)), &b) || !lexer_init(w, &lx, kw, b))
        return false;
    t = lex(&lx);
    if (t.off != kw || !tok_is(&lx, t, "for") || !tok_is(&lx, lex(&lx), "(")) return false;
    while ((t = lex(&lx)).kind != TK_END) {
        if (t.kind != TK_PUNCT) continue;
        if (tok_is(&lx, t, "(")) {
            depth++;
        } else if (tok_is(&lx, t, ")")) {
            if (--depth == 0) return nsemi == 2;
        } else if (depth == 1 && tok_is(&lx, t, ";")) {
            if (nsemi == 2) return false;
            semi[nsemi++] = t.off;
        }
    }
    return false;
}

static bool is_step(enum CXCursorKind k)
{
    return k == CXCursor_UnaryOperator || k == CXCursor_CompoundAssignOperator;
}

/* Which children of a for statement are init, cond and inc: libclang omits absent ones, so
 * they are told apart by where they start relative to the header's ';'.  Without a lexable
 * header (macro-made for), by their count and shape: a declaration can only be the init, and
 * ++, --, op= are taken for the increment; otherwise a lone part is the condition and two
 * parts are init and condition.  *after_init: first offset after the init, or UINT32_MAX. */
static void for_parts(struct walk *w, CXCursor c, size_t base, size_t n, CXCursor part[4], bool has[4],
                      uint32_t *after_init)
{
    uint32_t semi[2];
    size_t i;
    int role[2];
    enum CXCursorKind first, last;
    part[P_BODY] = KID(w, base, n - 1);
    has[P_BODY] = true;
    if (n > 1 && for_semis(w, c, part[P_BODY], semi)) {
        bool clash = false;
        for (i = 0; i + 1 < n; i++) {
            uint32_t a, b;
            int r;
            CXCursor k = KID(w, base, i);
            if (!extent_off(w, k, &a, &b)) {
                clash = true;
                break;
            }
            r = a < semi[0] ? P_INIT : a < semi[1] ? P_COND : P_INC;
            if (has[r]) clash = true;
            has[r] = true;
            part[r] = k;
        }
        if (!clash) {
            *after_init = semi[0] + 1;
            return;
        }
        has[P_INIT] = has[P_COND] = has[P_INC] = false;
    }
    if (n == 4) {
        for (i = 0; i < 3; i++) {
            part[i] = KID(w, base, i);
            has[i] = true;
        }
        return;
    }
    if (n < 2 || n > 3) return;
    first = clang_getCursorKind(KID(w, base, 0));
    last = clang_getCursorKind(KID(w, base, n - 2));
    if (n == 2)
        role[0] = first == CXCursor_DeclStmt ? P_INIT : is_step(first) ? P_INC : P_COND;
    else if (first != CXCursor_DeclStmt && is_step(last))
        role[0] = P_COND, role[1] = P_INC;
    else
        role[0] = P_INIT, role[1] = P_COND;
    for (i = 0; i + 1 < n; i++) {
        part[role[i]] = KID(w, base, i);
        has[role[i]] = true;
    }
}

static bool eval_int(CXCursor c, long long *v)
{
    CXEvalResult r = clang_Cursor_Evaluate(c);
    bool ok = false;
    if (!r) return false;
    if (clang_EvalResult_getKind(r) == CXEval_Int) {
        if (clang_EvalResult_isUnsignedInt(r)) {
            unsigned long long u = clang_EvalResult_getAsUnsigned(r);
            *v = u > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)u;
        } else {
            *v = clang_EvalResult_getAsLongLong(r);
        }
        ok = true;
    }
    clang_EvalResult_dispose(r);
    return ok;
}

/* The induction side of a comparison: a variable or parameter (*decl set), or a field. */
static bool induction(struct walk *w, CXCursor c, CXCursor *decl)
{
    c = strip(w, c);
    *decl = clang_getNullCursor();
    if (clang_getCursorKind(c) == CXCursor_MemberRefExpr) return true;
    if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        enum CXCursorKind k = clang_getCursorKind(d);
        if (k == CXCursor_VarDecl || k == CXCursor_ParmDecl) {
            *decl = d;
            return true;
        }
    }
    return false;
}

/* The constant a for-init gives `var`: `var = K` or a declaration `T var = K`. */
static bool init_value(struct walk *w, CXCursor init, CXCursor var, long long *v)
{
    size_t base, n = kids_push(w, init, &base), i;
    bool ok = false;
    if (clang_getCursorKind(init) == CXCursor_DeclStmt) {
        for (i = 0; i < n && !ok; i++)
            if (clang_equalCursors(KID(w, base, i), var))
                ok = eval_int(clang_Cursor_getVarDeclInitializer(KID(w, base, i)), v);
    } else if (clang_getCursorKind(init) == CXCursor_BinaryOperator && n == 2) {
        CXCursor l = KID(w, base, 0), r = KID(w, base, 1), d;
        enum bop op = binop_kind(w, l, r);
        if ((op == BOP_ASSIGN || op == BOP_UNKNOWN) && induction(w, l, &d) && clang_equalCursors(d, var))
            ok = eval_int(r, v);
    }
    w->nkids = base;
    return ok;
}

static int64_t sat_sub(long long a, long long b)
{
    long long r;
    if (__builtin_sub_overflow(a, b, &r)) return a > b ? INT64_MAX : INT64_MIN;
    return r;
}

/* Trip count of `var op bound` from `init`; never negative. */
static int64_t trip_count(enum bop op, long long init, long long bound)
{
    int64_t d;
    switch (op) {
    case BOP_LT: d = sat_sub(bound, init); break;
    case BOP_LE: d = sat_sub(bound, init); d += d < INT64_MAX; break;
    case BOP_GT: d = sat_sub(init, bound); break;
    case BOP_GE: d = sat_sub(init, bound); d += d < INT64_MAX; break;
    default: d = sat_sub(bound, init); d = d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d; break;
    }
    return d < 0 ? 0 : d;
}

static enum bop mirror(enum bop op)
{
    switch (op) {
    case BOP_LT: return BOP_GT;
    case BOP_LE: return BOP_GE;
    case BOP_GT: return BOP_LT;
    case BOP_GE: return BOP_LE;
    default: return op;
    }
}

/* Bound heuristics:
 * - no for-condition, or a constant non-zero condition: INFINITE.  A constant zero condition
 *   (do { } while (0)) is CONST with trip 1 for do, 0 otherwise;
 * - `v OP k` or `k OP v` with OP in < <= > >= != , v a variable/parameter/field and k an
 *   integer constant (literal, enum, macro, sizeof): CONST.  trip: iterations from the for-init's
 *   constant (`v = K`, `T v = K`), step 1 assumed; without one, k (+1 for <=) when counting up to
 *   k or with !=.  Counting down to k from an unknown start depends on data: VAR;
 * - the same comparison with a non-constant other side (variable, field, call): VAR;
 * - the same shapes from a macro body, where the operator cannot be read, are taken for !=;
 * - anything else (while (p), while ((c = getc(f)) != EOF), ||, &&): UNKNOWN. */
static void loop_bound(struct walk *w, enum ca_loop_kind kind, const CXCursor part[4], const bool has[4],
                       struct ca_fact_loop *lp)
{
    CXCursor cmp, l, r, var, other;
    long long v, k, init;
    enum bop op;
    lp->bound = CA_BOUND_UNKNOWN;
    lp->trip = -1;
    if (!has[P_COND]) {
        if (kind == CA_LOOP_FOR) lp->bound = CA_BOUND_INFINITE;
        return;
    }
    if (eval_int(part[P_COND], &v)) {
        lp->bound = v ? CA_BOUND_INFINITE : CA_BOUND_CONST;
        if (!v) lp->trip = kind == CA_LOOP_DO ? 1 : 0;
        return;
    }
    cmp = strip(w, part[P_COND]);
    if (clang_getCursorKind(cmp) != CXCursor_BinaryOperator || !operands(w, cmp, &l, &r)) return;
    op = binop_kind(w, l, r);
    if (op == BOP_UNKNOWN) op = BOP_NE; /* macro body: taken for a comparison, trip |k - init| */
    if (op != BOP_LT && op != BOP_LE && op != BOP_GT && op != BOP_GE && op != BOP_NE) return;
    if (induction(w, l, &var)) {
        other = r;
    } else if (induction(w, r, &var)) {
        other = l;
        op = mirror(op);
    } else {
        return;
    }
    if (!eval_int(other, &k)) {
        lp->bound = CA_BOUND_VAR;
        return;
    }
    if (has[P_INIT] && !clang_Cursor_isNull(var) && init_value(w, part[P_INIT], var, &init)) {
        lp->bound = CA_BOUND_CONST;
        lp->trip = trip_count(op, init, k);
    } else if (op == BOP_LT || op == BOP_LE || op == BOP_NE) {
        lp->bound = CA_BOUND_CONST;
        lp->trip = trip_count(op, 0, k);
    } else {
        lp->bound = CA_BOUND_VAR;
    }
}

/* for/while/do: the loop fact (numbered before its nested loops), then LOOP with one SEQ per
 * part in execution order.  The for-init runs once, before the LOOP, in the enclosing loop. */
static void walk_loop(struct walk *w, CXCursor c, struct list *out, enum ca_loop_kind kind)
{
    CXCursor part[4];
    bool has[4] = {false, false, false, false};
    struct list parts[3] = {LIST_EMPTY, LIST_EMPTY, LIST_EMPTY};
    struct ca_fact_loop lp;
    struct lspan sp = {0, 0, 0};
    struct ca_loc endl = {0, 0};
    uint32_t idx, after_init = UINT32_MAX, saved_loop = w->loop, saved_depth = w->depth;
    size_t base, n = kids_push(w, c, &base);
    long long zero = 1;
    bool once;

    if (kind == CA_LOOP_FOR && n >= 1) {
        for_parts(w, c, base, n, part, has, &after_init);
    } else if (n == 2) {
        part[P_COND] = KID(w, base, kind == CA_LOOP_DO ? 1 : 0);
        part[P_BODY] = KID(w, base, kind == CA_LOOP_DO ? 0 : 1);
        has[P_COND] = has[P_BODY] = true;
    }
    w->nkids = base;

    memset(&lp, 0, sizeof lp);
    lp.func = w->func;
    lp.parent = w->loop;
    lp.depth = w->depth;
    lp.kind = kind;
    exp_loc(w, clang_getCursorLocation(c), &lp.loc, &sp.key);
    exp_loc(w, clang_getRangeEnd(clang_getCursorExtent(c)), &endl, &sp.end);
    lp.end_line = endl.line;
    loop_bound(w, kind, part, has, &lp);
    /* do { ... } while (0), the statement-macro idiom (Py_CLEAR, CHECK): runs once, so it is not
     * a loop.  Its IR stays a LOOP without a loop index so that `break` inside still ends it. */
    once = kind == CA_LOOP_DO && has[P_COND] && eval_int(part[P_COND], &zero) && zero == 0;
    if (once) {
        idx = CA_NONE;
    } else {
        if (w->st || (w->st = ca_facts_add_loop(w->f, &lp, &idx)) != CA_OK) return;
        sp.begin = after_init != UINT32_MAX ? after_init : sp.key;
        if (sp.end < sp.begin) sp.end = sp.begin;
        if (w->nspans == w->capspans &&
            (w->st = ca_grow((void **)&w->spans, &w->capspans, w->nspans + 1, sizeof *w->spans)) != CA_OK)
            return;
        w->spans[w->nspans++] = sp;
    }

    if (has[P_INIT]) walk(w, part[P_INIT], out, (struct ectx){M_STMT, 0, 0});
    if (!once) {
        w->loop = idx;
        w->depth++;
    }
    if (kind == CA_LOOP_DO) {
        if (has[P_BODY]) walk(w, part[P_BODY], &parts[0], (struct ectx){M_STMT, 0, 0});
        if (has[P_COND]) walk(w, part[P_COND], &parts[1], (struct ectx){0, 0, 0});
    } else {
        if (has[P_COND]) walk(w, part[P_COND], &parts[0], (struct ectx){0, 0, 0});
        if (has[P_BODY]) walk(w, part[P_BODY], &parts[1], (struct ectx){M_STMT, 0, 0});
        if (has[P_INC]) walk(w, part[P_INC], &parts[2], (struct ectx){M_STMT, 0, 0});
    }
    w->loop = saved_loop;
    w->depth = saved_depth;
    list_add(w, out,
             ir_seqs(w, CA_IR_LOOP, kind == CA_LOOP_DO ? 0 : CA_IR_TEST_FIRST, idx, parts,
                     kind == CA_LOOP_FOR ? 3 : 2));
}

/* if (c) A else B: nodes of c, then BRANCH(A, B). */
static void walk_if(struct walk *w, CXCursor c, struct list *out)
{
    size_t base, n = kids_push(w, c, &base), i;
    CXCursor k[3];
    struct list a = LIST_EMPTY, b = LIST_EMPTY;
    uint32_t zcall, br;
    int zarm;
    if (n < 2 || n > 3) {
        for (i = 0; i < n; i++) walk(w, KID(w, base, i), out, (struct ectx){0, 0, 0});
        w->nkids = base;
        return;
    }
    for (i = 0; i < n; i++) k[i] = KID(w, base, i);
    w->nkids = base;
    walk(w, k[0], out, (struct ectx){0, 0, 0});
    zarm = zero_arm(w, k[0], &zcall);
    walk(w, k[1], &a, (struct ectx){M_STMT, 0, 0});
    if (n == 3) walk(w, k[2], &b, (struct ectx){M_STMT, 0, 0});
    br = ir_branch(w, out, &a, &b, n == 2);
    if (br != CA_NONE && zarm >= 0 && !w->st) {
        /* the children are the non-empty arms: which one (or none) is the zero path */
        const struct list *zl = zarm == 0 ? &a : &b;
        uint32_t flag = zl->first == CA_NONE ? CA_IR_ZERO_SKIP
                        : zarm == 1 && a.first != CA_NONE ? CA_IR_ZERO_ARM1
                                                          : CA_IR_ZERO_ARM0;
        w->f->ir[br].ref = zcall;
        w->f->ir[br].flags |= flag;
    }
}

/* switch (c) body: SWITCH(SEQ c, SEQ body); case labels become CASE nodes inside body. */
static void walk_switch(struct walk *w, CXCursor c, struct list *out)
{
    size_t base, n = kids_push(w, c, &base);
    struct list parts[2] = {LIST_EMPTY, LIST_EMPTY};
    CXCursor cond, body;
    if (n != 2) {
        w->nkids = base;
        walk_kids(w, c, out, (struct ectx){0, 0, 0});
        return;
    }
    cond = KID(w, base, 0);
    body = KID(w, base, 1);
    w->nkids = base;
    walk(w, cond, &parts[0], (struct ectx){0, 0, 0});
    walk(w, body, &parts[1], (struct ectx){M_STMT, 0, 0});
    list_add(w, out, ir_seqs(w, CA_IR_SWITCH, 0, CA_NONE, parts, 2));
}

/* `case K:`, `default:` and `L:`: the label node, then the labelled statement's nodes as
 * following siblings.  Case values are constants: not walked. */
static void walk_labelled(struct walk *w, CXCursor c, struct list *out, enum CXCursorKind k)
{
    size_t base, n = kids_push(w, c, &base);
    CXCursor sub = n ? KID(w, base, n - 1) : clang_getNullCursor();
    w->nkids = base;
    if (k == CXCursor_LabelStmt)
        list_add(w, out, ir_node(w, CA_IR_LABEL, 0, CA_NONE, take(w, clang_getCursorSpelling(c)), NULL));
    else
        list_add(w, out, ir_node(w, CA_IR_CASE, k == CXCursor_DefaultStmt ? CA_IR_DEFAULT : 0, CA_NONE, NULL, NULL));
    if (!clang_Cursor_isNull(sub)) walk(w, sub, out, (struct ectx){M_STMT, 0, 0});
}

static void walk_node(struct walk *w, CXCursor c, struct list *out, struct ectx cx)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    struct list l = LIST_EMPTY;
    switch (k) {
    case CXCursor_CompoundStmt: walk_kids(w, c, out, (struct ectx){M_STMT, 0, 0}); break;
    case CXCursor_DeclStmt: walk_decl_stmt(w, c, out); break;
    case CXCursor_IfStmt: walk_if(w, c, out); break;
    case CXCursor_ForStmt: walk_loop(w, c, out, CA_LOOP_FOR); break;
    case CXCursor_WhileStmt: walk_loop(w, c, out, CA_LOOP_WHILE); break;
    case CXCursor_DoStmt: walk_loop(w, c, out, CA_LOOP_DO); break;
    case CXCursor_SwitchStmt: walk_switch(w, c, out); break;
    case CXCursor_CaseStmt:
    case CXCursor_DefaultStmt:
    case CXCursor_LabelStmt: walk_labelled(w, c, out, k); break;
    case CXCursor_GotoStmt: {
        CXCursor target = clang_getCursorReferenced(c);
        const char *label = clang_Cursor_isNull(target) ? NULL : take(w, clang_getCursorSpelling(target));
        list_add(w, out, ir_at(w, c, ir_node(w, CA_IR_GOTO, 0, CA_NONE, label, NULL)));
        break;
    }
    case CXCursor_IndirectGotoStmt:
        walk_kids(w, c, out, (struct ectx){0, 0, 0});
        list_add(w, out, ir_at(w, c, ir_node(w, CA_IR_GOTO, 0, CA_NONE, NULL, NULL)));
        break;
    case CXCursor_ReturnStmt:
        walk_kids(w, c, &l, (struct ectx){0, 0, 0});
        list_add(w, out, ir_at(w, c, ir_node(w, CA_IR_RETURN, 0, CA_NONE, NULL, &l)));
        break;
    case CXCursor_BreakStmt: list_add(w, out, ir_node(w, CA_IR_BREAK, 0, CA_NONE, NULL, NULL)); break;
    case CXCursor_ContinueStmt: list_add(w, out, ir_node(w, CA_IR_CONTINUE, 0, CA_NONE, NULL, NULL)); break;
    case CXCursor_CallExpr: walk_call(w, c, out); break;
    case CXCursor_DeclRefExpr: walk_ref(w, c, cx); break;
    case CXCursor_BinaryOperator: walk_binop(w, c, out, cx); break;
    case CXCursor_CompoundAssignOperator: walk_compound_assign(w, c, out); break;
    case CXCursor_UnaryOperator: walk_unary(w, c, out, cx); break;
    case CXCursor_ConditionalOperator: walk_conditional(w, c, out); break;
    case CXCursor_ArraySubscriptExpr: walk_access(w, c, out, cx, false); break;
    case CXCursor_MemberRefExpr: walk_access(w, c, out, cx, true); break;
    case CXCursor_ParenExpr:
    case CXCursor_UnexposedExpr:
    case CXCursor_CStyleCastExpr: walk_kids(w, c, out, cx); break;
    case CXCursor_UnaryExpr: /* sizeof, _Alignof: the operand is not evaluated */
    case CXCursor_IntegerLiteral:
    case CXCursor_FloatingLiteral:
    case CXCursor_StringLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_NullStmt: break;
    default: walk_kids(w, c, out, (struct ectx){0, 0, 0}); break;
    }
}

/* Dispatch on statements and expressions; type references and declarations met on the way are
 * not code. */
static void walk(struct walk *w, CXCursor c, struct list *out, struct ectx cx)
{
    enum CXCursorKind k = clang_getCursorKind(c);
    if (w->st || w->nest >= MAX_NEST || !(clang_isStatement(k) || clang_isExpression(k))) return;
    w->nest++;
    walk_node(w, c, out, cx);
    w->nest--;
}

/* ------------------------------------------------------------------ functions and the TU */

/* Macro facts for the expansions in [begin, end), each with the innermost loop whose span
 * contains it.  Expansions and loops are both in source order, so one sweep with a stack of
 * open loops does it.  A loop whose keyword is the expansion itself (Py_CLEAR's do-while(0))
 * is made by that macro and does not contain it. */
static void func_macros(struct walk *w, uint32_t begin, uint32_t end)
{
    const struct src *fs = w->cur;
    size_t i = mx_lower(fs, begin), next = 0, top = 0;
    if (w->nspans > w->capopen) {
        uint32_t *p = ca_realloc(w->open, w->nspans * sizeof *p);
        if (!p) {
            w->st = CA_ERR_NOMEM;
            return;
        }
        w->open = p;
        w->capopen = w->nspans;
    }
    for (; i < fs->nmx && fs->mx[i].begin < end && !w->st; i++) {
        struct ca_fact_macro m = {w->func, CA_NONE, {0, 0}, NULL};
        uint32_t o = fs->mx[i].begin, idx;
        size_t j;
        while (next < w->nspans && w->spans[next].key <= o) {
            while (top && w->spans[w->open[top - 1]].end <= w->spans[next].key) top--;
            w->open[top++] = (uint32_t)next++;
        }
        while (top && w->spans[w->open[top - 1]].end <= o) top--;
        for (j = top; j-- > 0;) {
            const struct lspan *s = &w->spans[w->open[j]];
            if (s->begin <= o && s->key != o) {
                m.loop = w->first_loop + w->open[j];
                break;
            }
        }
        exp_loc(w, fs->mx[i].at, &m.loc, NULL);
        if ((w->st = ca_facts_add_macro(w->f, &m, &idx)) != CA_OK) return;
        w->f->macros[idx].name = fs->mx[i].name;
    }
}

/* One function definition: its fact (numbered before its loops and calls), its body walked
 * once into the root SEQ, then the macro facts of its body. */
static void walk_function(struct walk *w, CXCursor fn)
{
    struct ca_fact_func ff;
    struct list body_ir = LIST_EMPTY;
    CXCursor body = clang_getNullCursor();
    size_t base, n = kids_push(w, fn, &base), i;
    uint32_t idx, bb = 0, be = 0;
    int np;
    for (i = n; i-- > 0;)
        if (clang_getCursorKind(KID(w, base, i)) == CXCursor_CompoundStmt) {
            body = KID(w, base, i);
            break;
        }
    w->nkids = base;
    if (clang_Cursor_isNull(body)) return;

    memset(&ff, 0, sizeof ff);
    exp_loc(w, clang_getCursorLocation(fn), &ff.loc, NULL);
    exp_loc(w, clang_getRangeEnd(clang_getCursorExtent(fn)), &ff.end, NULL);
    if (ff.end.col > 1) ff.end.col--; /* the extent ends just after the closing brace */
    ff.is_static = clang_getCursorLinkage(fn) == CXLinkage_Internal;
    np = clang_Cursor_getNumArguments(fn);
    ff.nparams = np > 0 ? (uint32_t)np : 0;
    ff.ir_root = ir_node(w, CA_IR_SEQ, 0, CA_NONE, NULL, NULL);
    ff.name = NULL;
    if (w->st || (w->st = ca_facts_add_func(w->f, &ff, &idx)) != CA_OK) return;
    w->f->funcs[idx].name = take(w, clang_getCursorSpelling(fn));
    w->f->funcs[idx].file = w->cur->display;

    w->func = idx;
    w->loop = CA_NONE;
    w->depth = 0;
    w->nest = 0;
    w->first_loop = w->f->nloops;
    w->nspans = 0;
    w->lv.found = false;
    w->rhs_fnref = CA_NONE;
    w->nrecent = w->nassigned = 0;
    walk(w, body, &body_ir, (struct ectx){M_STMT, 0, 0});
    if (w->st) return;
    w->f->ir[ff.ir_root].first_child = body_ir.first;
    if (exp_loc(w, clang_getRangeStart(clang_getCursorExtent(body)), NULL, &bb) &&
        exp_loc(w, clang_getRangeEnd(clang_getCursorExtent(body)), NULL, &be))
        func_macros(w, bb, be);
    w->func = CA_NONE;
}

/* ---- which files are extracted */

/* A new extracted file; its index, or NO_SRC on failure (w->st set). */
static uint32_t add_src(struct walk *w, CXFile file, const char *display)
{
    struct src *s;
    size_t size = 0;
    if (w->nsrcs == w->capsrcs &&
        (w->st = ca_grow((void **)&w->srcs, &w->capsrcs, w->nsrcs + 1, sizeof *w->srcs)) != CA_OK)
        return NO_SRC;
    s = &w->srcs[w->nsrcs];
    memset(s, 0, sizeof *s);
    s->file = file;
    s->display = display;
    s->text = clang_getFileContents(w->tu, file, &size);
    s->ntext = size < UINT32_MAX ? (uint32_t)size : 0;
    return (uint32_t)w->nsrcs++;
}

/* Are the definitions of `file` (`at` is a location in it) extracted?  The main file's are;
 * another file's are when it is not a system header, not under Python's include directory,
 * and its real path lies below the main file's directory.  Real paths (clang resolves symlinks
 * when it opens a file) make "../_io/x.h" and "./x.h" compare as the files they are.  The
 * display path is made here, once per file: the main display's directory + the path below. */
static uint32_t decide(struct walk *w, CXFile file, CXSourceLocation at)
{
    CXString rs;
    const char *real;
    uint32_t s = NO_SRC;
    if (clang_File_isEqual(file, w->main)) return 0;
    if (!w->dir || clang_Location_isInSystemHeader(at)) return NO_SRC;
    rs = clang_File_tryGetRealPathName(file);
    real = clang_getCString(rs);
    if (real && strncmp(real, w->dir, w->ndir) == 0 && real[w->ndir] &&
        !(w->pyreal && strncmp(real, w->pyreal, w->npyreal) == 0)) {
        const char *display = ca_arena_printf(&w->f->arena, "%.*s%s", (int)w->ndisp, w->disp, real + w->ndir);
        if (display)
            s = add_src(w, file, display);
        else
            w->st = CA_ERR_NOMEM;
    }
    clang_disposeString(rs);
    return s;
}

static size_t file_hash(CXFile f)
{
    uintptr_t p = (uintptr_t)f;
    return (size_t)((p >> 4) ^ (p >> 16));
}

/* The slot of `file` in the cache: its entry, or the free slot where it belongs. */
static struct fslot *file_slot(const struct walk *w, CXFile file)
{
    size_t i;
    for (i = file_hash(file) & (w->capfiles - 1); w->files[i].file; i = (i + 1) & (w->capfiles - 1))
        if (w->files[i].file == file) break;
    return &w->files[i];
}

static bool files_grow(struct walk *w)
{
    struct fslot *old = w->files;
    size_t n = w->capfiles, i;
    w->capfiles = n ? n * 2 : 64;
    w->files = ca_calloc(w->capfiles, sizeof *w->files);
    if (!w->files) {
        w->files = old;
        w->capfiles = n;
        w->st = CA_ERR_NOMEM;
        return false;
    }
    for (i = 0; i < n; i++)
        if (old[i].file) *file_slot(w, old[i].file) = old[i];
    ca_free(old);
    return true;
}

/* The index in w->srcs of the file `file`, or NO_SRC: decided at the file's first sight (`at`
 * is a location in it) and cached.  A TU meets a few hundred files tens of thousands of times,
 * mostly in runs (the expansions of one header), hence the one-entry memo in front. */
static uint32_t file_src(struct walk *w, CXFile file, CXSourceLocation at)
{
    struct fslot *slot;
    if (file == w->last_file) return w->last_src;
    if (2 * (w->nfiles + 1) > w->capfiles && !files_grow(w)) return NO_SRC;
    slot = file_slot(w, file);
    if (!slot->file) {
        uint32_t s = decide(w, file, at); /* does not touch the cache */
        slot->file = file;
        slot->src = s;
        w->nfiles++;
    }
    w->last_file = file;
    w->last_src = slot->src;
    return slot->src;
}

/* The first main-file #include that brings in each extracted header: where the function names
 * in the header's file-scope initialisers are placed. */
static void incl_cb(CXFile file, CXSourceLocation *stack, unsigned depth, CXClientData data)
{
    struct walk *w = data;
    struct fslot *slot;
    if (depth == 0 || !w->capfiles) return;
    slot = file_slot(w, file);
    if (slot->file && slot->src != NO_SRC && !w->srcs[slot->src].has_incl) {
        w->srcs[slot->src].incl = stack[depth - 1];
        w->srcs[slot->src].has_incl = true;
    }
}

/* ---- the TU */

/* The expansion cursor `c`, which begins at offset `begin` of extracted file `s`. */
static void add_mexp(struct walk *w, struct src *s, CXCursor c, CXSourceLocation at, uint32_t begin)
{
    struct mexp m;
    CXFile file = NULL;
    unsigned end = 0;
    clang_getFileLocation(clang_getRangeEnd(clang_getCursorExtent(c)), &file, NULL, NULL, &end);
    if (!file || !clang_File_isEqual(file, s->file)) return;
    m.at = at;
    m.begin = begin;
    m.end = end < begin ? begin : end;
    m.outer = 0;
    m.name = take(w, clang_getCursorSpelling(c));
    if (w->st) return;
    if (s->nmx == s->capmx && (w->st = ca_grow((void **)&s->mx, &s->capmx, s->nmx + 1, sizeof *s->mx)) != CA_OK)
        return;
    s->mx[s->nmx++] = m;
}

static void add_decl(struct walk *w, CXCursor c, uint32_t src)
{
    struct decl d;
    d.c = c;
    d.src = src;
    CA_PUSH(w->st, w->decls, w->ndecls, w->capdecls, d);
}

/* Phase one over the TU's top level: the preprocessing record's macro expansions, and the
 * function definitions and file-scope variables, of the extracted files (file_src). */
static enum CXChildVisitResult top_cb(CXCursor c, CXCursor parent, CXClientData data)
{
    struct walk *w = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    CXSourceLocation at;
    CXFile file = NULL;
    unsigned off = 0;
    uint32_t s;
    if (k == CXCursor_MacroExpansion) {
        at = clang_getCursorLocation(c);
        clang_getFileLocation(at, &file, NULL, NULL, &off);
        if (file && (s = file_src(w, file, at)) != NO_SRC) add_mexp(w, &w->srcs[s], c, at, off);
    } else if ((k == CXCursor_FunctionDecl && clang_isCursorDefinition(c)) || k == CXCursor_VarDecl) {
        at = clang_getCursorLocation(c);
        clang_getExpansionLocation(at, &file, NULL, NULL, NULL);
        if (file && (s = file_src(w, file, at)) != NO_SRC) {
            add_decl(w, c, s);
            if (s && k == CXCursor_VarDecl) w->header_vars = true;
        }
    }
    return w->st ? CXChildVisit_Break : CXChildVisit_Continue;
}

static int mexp_cmp(const void *pa, const void *pb)
{
    const struct mexp *a = pa, *b = pb;
    if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
    if (a->end != b->end) return a->end > b->end ? -1 : 1; /* outer first */
    return 0;
}

/* Sort a file's expansions, drop the copies a re-included header leaves (same place, same
 * name), and link each to its outermost one.  Expansions nest (one inside another's
 * arguments) or are disjoint, so the outermost one containing an expansion is the last
 * top-level one that has not ended yet. */
static void index_mexps(struct src *s)
{
    size_t i, n = 0, top = 0;
    if (s->nmx) qsort(s->mx, s->nmx, sizeof *s->mx, mexp_cmp);
    for (i = 0; i < s->nmx; i++) {
        const struct mexp *p = n ? &s->mx[n - 1] : NULL;
        if (p && p->begin == s->mx[i].begin && p->end == s->mx[i].end && p->name == s->mx[i].name) continue;
        s->mx[n++] = s->mx[i];
    }
    s->nmx = n;
    for (i = 0; i < s->nmx; i++) {
        if (i == 0 || s->mx[i].begin >= s->mx[top].end) top = i;
        s->mx[i].outer = (uint32_t)top;
    }
}

/* A file-scope variable of a header: its function names are placed at the main-file #include
 * that brings the header in (0:0 when that is unknown), since such a fact has no function to
 * carry the header's path. */
static void header_var(struct walk *w, CXCursor var, const struct src *s)
{
    struct ca_loc at = {0, 0};
    w->cur = &w->srcs[0];
    if (s->has_incl) exp_loc(w, s->incl, &at, NULL);
    static_init(w, var, CA_NONE, &at);
}

/* Is a file-scope variable declaration a definition?  Tentative ones (int n;) count: C makes
 * them definitions at the end of the TU; extern declarations count only with an initialiser. */
static bool defines_var(CXCursor var)
{
    if (clang_Cursor_getStorageClass(var) != CX_SC_Extern) return true;
    return !clang_Cursor_isNull(clang_Cursor_getVarDeclInitializer(var));
}

/* PEP 703: does the text of `s` declare free-threading support?  The words are looked for in
 * the text, not the AST: they are usually behind #ifdef Py_GIL_DISABLED or a version check
 * that older headers do not pass.  A quick search for them comes first; only a file that has
 * one is lexed, to skip those in comments and string literals. */
static bool declares_ft(const struct src *s)
{
    static const char *const words[] = {"Py_mod_gil", "PyUnstable_Module_SetGIL", "PyModule_ExperimentalSetGIL"};
    const char *p, *end;
    struct lexer lx;
    struct tok t;
    bool any = false;
    size_t i;
    if (!s->text) return false;
    end = s->text + s->ntext;
    for (p = s->text; !any && (p = memchr(p, 'P', (size_t)(end - p))) != NULL; p++)
        for (i = 0; i < sizeof words / sizeof *words && !any; i++)
            any = (size_t)(end - p) >= strlen(words[i]) && memcmp(p, words[i], strlen(words[i])) == 0;
    if (!any) return false;
    lx.s = s->text;
    lx.pos = 0;
    lx.end = lx.size = s->ntext;
    while ((t = lex(&lx)).kind != TK_END)
        for (i = 0; t.kind == TK_WORD && i < sizeof words / sizeof *words; i++)
            if (tok_is(&lx, t, words[i])) return true;
    return false;
}

static void extract(struct walk *w)
{
    size_t i;
    clang_visitChildren(clang_getTranslationUnitCursor(w->tu), top_cb, w);
    if (w->st) return;
    for (i = 0; i < w->nsrcs; i++) {
        index_mexps(&w->srcs[i]);
        if (!w->f->ft_declared) w->f->ft_declared = declares_ft(&w->srcs[i]);
    }
    if (w->header_vars) clang_getInclusions(w->tu, incl_cb, w);
    for (i = 0; i < w->ndecls && !w->st; i++) {
        const struct decl *d = &w->decls[i];
        w->cur = &w->srcs[d->src];
        if (clang_getCursorKind(d->c) == CXCursor_FunctionDecl) {
            walk_function(w, d->c);
            continue;
        }
        if (defines_var(d->c)) add_global(w, d->c, false);
        if (d->src == 0)
            static_init(w, d->c, CA_NONE, NULL);
        else
            header_var(w, d->c, &w->srcs[d->src]);
    }
}

/* Errors and fatal errors, the first MAX_DIAGS of them recorded; returns how many there are. */
static unsigned collect_diags(struct walk *w)
{
    unsigned i, n = clang_getNumDiagnostics(w->tu), nerr = 0;
    for (i = 0; i < n && !w->st; i++) {
        CXDiagnostic d = clang_getDiagnostic(w->tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            if (nerr < MAX_DIAGS) {
                CXString file;
                unsigned line = 0, col = 0;
                const char *fname, *msg;
                clang_getPresumedLocation(clang_getDiagnosticLocation(d), &file, &line, &col);
                fname = take(w, file);
                if (fname && !*fname) fname = w->f->path; /* no location: about the whole file */
                msg = take(w, clang_getDiagnosticSpelling(d));
                add_diag(w, fname, line, col, msg);
            }
            nerr++;
        }
        clang_disposeDiagnostic(d);
    }
    return nerr;
}

/* An included file with a .c name (`name`, as clang opened it): recorded once, by real path. */
static void add_included_c(struct walk *w, CXFile file, const char *name)
{
    CXString rs = clang_File_tryGetRealPathName(file);
    const char *real = clang_getCString(rs), *path = intern(w, real && *real ? real : name);
    uint32_t i, idx;
    clang_disposeString(rs);
    if (!path) return;
    for (i = 0; i < w->f->nincluded_c; i++)
        if (w->f->included_c[i] == path) return;
    if ((w->st = ca_facts_add_included_c(w->f, NULL, &idx)) != CA_OK) return;
    w->f->included_c[idx] = path;
}

/* A file the TU read (not the main file), by real path: one of its deps.  With a PCH, a file
 * that the PCH read too (re-entered: stddef.h) has the real path the PCH's build saw. */
static void add_dep(struct walk *w, CXFile file, const char *name)
{
    CXString rs = clang_File_tryGetRealPathName(file);
    const char *real = clang_getCString(rs), *path;
    size_t k = w->pch ? pch_dep(w, file) : SIZE_MAX;
    uint32_t idx;
    path = intern(w, k != SIZE_MAX ? w->pch->deps[k] : real && *real ? real : name);
    clang_disposeString(rs);
    if (!path) return;
    if ((w->st = ca_facts_add_dep(w->f, NULL, &idx)) != CA_OK) return;
    w->f->deps[idx] = path;
}

/* Every file the TU includes: the main file, its deps, the .c files among them, and Python.h. */
static void inclusion_cb(CXFile file, CXSourceLocation *stack, unsigned depth, CXClientData data)
{
    struct walk *w = data;
    CXString name;
    const char *p, *slash;
    size_t n;
    if (depth == 0 && !w->main) w->main = file;
    if (depth == 0 || w->st) return;
    name = clang_getFileName(file);
    p = clang_getCString(name);
    if (p) add_dep(w, file, p);
    n = p ? strlen(p) : 0;
    if (n > 2 && memcmp(p + n - 2, ".c", 2) == 0 && !(w->main && clang_File_isEqual(file, w->main)))
        add_included_c(w, file, p);
    if (p && !w->f->python) {
        slash = strrchr(p, '/');
        if (strcmp(slash ? slash + 1 : p, "Python.h") == 0) {
            CXString real = clang_File_tryGetRealPathName(file);
            w->f->python = true;
            w->npydir = slash ? (size_t)(slash - p) + 1 : 0;
            if (w->npydir && !(w->pydir = ca_strndup(p, w->npydir)) && !w->st) w->st = CA_ERR_NOMEM;
            p = clang_getCString(real);
            slash = p ? strrchr(p, '/') : NULL;
            w->npyreal = slash ? (size_t)(slash - p) + 1 : 0;
            if (w->npyreal && !(w->pyreal = ca_strndup(p, w->npyreal)) && !w->st) w->st = CA_ERR_NOMEM;
            clang_disposeString(real);
        }
    }
    clang_disposeString(name);
}

/* Is the declaration `decl` in Python's own headers: is its file, as clang spells it, under the
 * directory of Python.h as clang spelled it?  For a file read through a PCH clang reports an
 * absolute name whatever the spelling was, so the answer for those files was found when the PCH
 * was built (ca_pch_info.dep_python).  Cached per file: a TU calls into a few dozen headers
 * thousands of times. */
static bool declared_by_python(struct walk *w, CXCursor decl)
{
    CXFile file = NULL;
    size_t h;
    bool py = false;
    if (!w->pydir) return false;
    clang_getSpellingLocation(clang_getCursorLocation(decl), &file, NULL, NULL, NULL);
    if (!file) return false;
    h = ((uintptr_t)file >> 4) & 63;
    if (w->pycache[h].file == file) return w->pycache[h].py;
    {
        CXString name = clang_getFileName(file);
        const char *p = clang_getCString(name);
        size_t k = w->pch ? pch_dep(w, file) : SIZE_MAX;
        py = k != SIZE_MAX ? w->pch->dep_python[k] : p && strncmp(p, w->pydir, w->npydir) == 0;
        clang_disposeString(name);
    }
    w->pycache[h].file = file;
    w->pycache[h].py = py;
    return py;
}

/* The main file as srcs[0], and the directories that decide which headers are extracted: the
 * main file's real directory (clang's real path, else realpath(3) of the path given) and its
 * display directory. */
static void main_src(struct walk *w, const char *path)
{
    CXString rs = clang_File_tryGetRealPathName(w->main);
    const char *real = clang_getCString(rs), *slash;
    char buf[PATH_MAX];
    if (!real || !*real) real = realpath(path, buf);
    slash = real ? strrchr(real, '/') : NULL;
    if (slash) {
        w->ndir = (size_t)(slash - real) + 1;
        if (!(w->dir = ca_strndup(real, w->ndir))) w->st = CA_ERR_NOMEM;
    }
    clang_disposeString(rs);
    w->disp = w->f->path;
    slash = strrchr(w->disp, '/');
    w->ndisp = slash ? (size_t)(slash - w->disp) + 1 : 0;
    if (!w->st) add_src(w, w->main, NULL);
}

static void walk_fini(struct walk *w)
{
    size_t i;
    for (i = 0; i < w->nsrcs; i++) ca_free(w->srcs[i].mx);
    ca_free(w->srcs);
    ca_free(w->files);
    ca_free(w->dir);
    ca_free(w->pyreal);
    ca_free(w->pydir);
    ca_free(w->strs);
    ca_free(w->decls);
    ca_free(w->kids);
    ca_free(w->spans);
    ca_free(w->open);
    ca_free(w->frames);
    ca_free(w->fields);
    ca_free(w->gnames);
    ca_free(w->pchix);
}

enum ca_status ca_front_new(struct ca_front **out)
{
    struct ca_front *fe = ca_calloc(1, sizeof *fe);
    *out = NULL;
    if (!fe) return CA_ERR_NOMEM;
    /* excludeDeclarationsFromPCH: visiting a TU parsed with a PCH does not deserialise and walk
     * the thousands of declarations of its preamble (nothing there is extracted: see
     * pch_fits); the preprocessing record is then also the TU's own, the main file's
     * expansions.  Without a PCH every declaration is local and this changes nothing. */
    fe->index = clang_createIndex(1, 0);
    if (!fe->index) {
        ca_free(fe);
        return CA_ERR_INTERNAL;
    }
    *out = fe;
    return CA_OK;
}

void ca_front_free(struct ca_front *fe)
{
    if (!fe) return;
    clang_disposeIndex(fe->index);
    ca_free(fe);
}

char *ca_front_clang_version(void)
{
    CXString v = clang_getClangVersion();
    char *r = ca_strdup(clang_getCString(v) ? clang_getCString(v) : "");
    clang_disposeString(v);
    return r;
}

void ca_pch_info_fini(struct ca_pch_info *pi)
{
    size_t i;
    if (!pi) return;
    ca_free(pi->preamble);
    for (i = 0; i < pi->nargs; i++) ca_free(pi->args[i]);
    ca_free(pi->args);
    ca_free(pi->pydir);
    ca_free(pi->pyreal);
    for (i = 0; i < pi->ndeps; i++) ca_free(pi->deps[i]);
    ca_free(pi->deps);
    ca_free(pi->dep_python);
    ca_free(pi->dep_stamps);
    memset(pi, 0, sizeof *pi);
}

/* ------------------------------------------------------------------ parsing */

/* Options of every parse of a file to extract: the preprocessing record holds the macro
 * expansions (CA_CALL_IN_MACRO, macro facts); warnings of headers are not wanted. */
#define PARSE_FLAGS (CXTranslationUnit_DetailedPreprocessingRecord | CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles)

static bool has_errors(CXTranslationUnit tu)
{
    unsigned i, n = clang_getNumDiagnostics(tu);
    bool any = false;
    for (i = 0; i < n && !any; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        any = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error;
        clang_disposeDiagnostic(d);
    }
    return any;
}

/* args followed by a and b (borrowed strings); heap array, NULL when out of memory. */
static const char **args_plus(const char *const *args, size_t nargs, const char *a, const char *b)
{
    const char **v = ca_malloc((nargs + 2) * sizeof *v);
    if (!v) return NULL;
    if (nargs) memcpy(v, args, nargs * sizeof *v);
    v[nargs] = a;
    v[nargs + 1] = b;
    return v;
}

/* The facts of `tu`, parsed without failure, into `out`.  With `pch` the TU's main file had its
 * preamble blanked: the preamble's part of the facts comes from pch (Python.h, its directory,
 * the deps), and the text scans read the file's own text (`text`, `len`). */
static enum ca_status extract_tu(CXTranslationUnit tu, const struct ca_front_input *in, const struct ca_pch_info *pch,
                                 const char *text, size_t len, struct ca_tu_facts *out)
{
    struct walk w;
    size_t i;
    enum ca_status st;
    memset(&w, 0, sizeof w);
    w.f = out;
    w.tu = tu;
    w.func = w.loop = w.rhs_fnref = CA_NONE;
    w.pch = pch;
    if (pch) {
        /* what inclusion_cb would have found first, in the preamble */
        out->python = pch->python;
        if (pch->python && pch->pydir && !(w.pydir = ca_strdup(pch->pydir))) w.st = CA_ERR_NOMEM;
        if (pch->python && pch->pyreal && !(w.pyreal = ca_strdup(pch->pyreal))) w.st = CA_ERR_NOMEM;
        w.npydir = w.pydir ? strlen(w.pydir) : 0;
        w.npyreal = w.pyreal ? strlen(w.pyreal) : 0;
        for (i = 0; i < pch->ndeps && !w.st; i++) w.st = ca_facts_add_dep(out, pch->deps[i], NULL);
        if (!w.st) pch_index(&w);
    }
    w.main = clang_getFile(tu, in->path);
    if (!w.st) clang_getInclusions(tu, inclusion_cb, &w);
    ca_facts_sort_deps(out);
    if (w.st || collect_diags(&w) > 0) {
        if (!w.st) out->status = CA_TU_PARSE_ERROR; /* a partial AST would give wrong answers */
        goto out;
    }
    if (!w.main) {
        w.st = CA_ERR_INTERNAL;
        goto out;
    }
    main_src(&w, in->path);
    if (!w.st && pch) {
        w.srcs[0].text = text;
        w.srcs[0].ntext = len < UINT32_MAX ? (uint32_t)len : 0;
    }
    if (!w.st) extract(&w);
out:
    st = w.st;
    walk_fini(&w);
    return st;
}

/* The plain parse of in->path. */
static enum ca_status parse_plain(struct ca_front *fe, const struct ca_front_input *in, struct ca_tu_facts *out)
{
    struct CXUnsavedFile unsaved;
    CXTranslationUnit tu = NULL;
    enum CXErrorCode err;
    enum ca_status st;
    unsaved.Filename = in->path;
    unsaved.Contents = in->unsaved;
    unsaved.Length = (unsigned long)in->unsaved_len;
    err = clang_parseTranslationUnit2(fe->index, in->path, in->args, (int)in->nargs, in->unsaved ? &unsaved : NULL,
                                      in->unsaved ? 1 : 0, PARSE_FLAGS, &tu);
    if (err != CXError_Success || !tu) {
        const char *msg = err == CXError_Crashed ? "libclang crashed while parsing this file"
                                                 : "libclang could not parse this file";
        struct ca_fact_diag d = {out->path, {0, 0}, msg};
        out->status = CA_TU_PARSE_ERROR;
        st = ca_facts_add_diag(out, &d, NULL);
    } else {
        st = extract_tu(tu, in, NULL, NULL, 0, out);
    }
    if (tu) clang_disposeTranslationUnit(tu);
    return st;
}

/* The size and time of `path` into *st, when it is still the file of st's identity (the one
 * clang read); size -1 otherwise, which no later check accepts. */
static void stamp(const char *path, struct ca_dep_stamp *st)
{
    struct stat sb;
    st->size = -1;
    st->mtime_ns = 0;
    if (stat(path, &sb) != 0) return;
    if (!st->dev && !st->ino) {
        st->dev = (unsigned long long)sb.st_dev;
        st->ino = (unsigned long long)sb.st_ino;
    }
    if (st->dev != (unsigned long long)sb.st_dev || st->ino != (unsigned long long)sb.st_ino) return;
    st->size = (long long)sb.st_size;
    st->mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
}

/* Is the file `path` as it was when stamped? */
static bool unchanged(const char *path, const struct ca_dep_stamp *st)
{
    struct stat sb;
    return st->size >= 0 && stat(path, &sb) == 0 && (unsigned long long)sb.st_dev == st->dev &&
           (unsigned long long)sb.st_ino == st->ino && (long long)sb.st_size == st->size &&
           (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec == st->mtime_ns;
}

/* The directory of `path`, with its '/', absolute and without "." and ".." components: the way
 * clang names the files it opens (no symbolic link resolved), into *out (heap).  CA_ERR_IO when
 * the working directory is unknown (a relative path then has no such directory). */
static enum ca_status clean_dir(const char *path, char **out_)
{
    char cwd[PATH_MAX], *out;
    const char *full = path, *end, *p, *q;
    struct ca_buf b;
    size_t n = 1;
    *out_ = NULL;
    ca_buf_init(&b);
    if (path[0] != '/') {
        if (!getcwd(cwd, sizeof cwd)) return CA_ERR_IO;
        ca_buf_printf(&b, "%s/%s", cwd, path);
        if (b.failed) {
            ca_buf_fini(&b);
            return CA_ERR_NOMEM;
        }
        full = b.data;
    }
    end = strrchr(full, '/'); /* the file's name is not part of it */
    if (!(out = ca_malloc((size_t)(end - full) + 2))) {
        ca_buf_fini(&b);
        return CA_ERR_NOMEM;
    }
    out[0] = '/';
    for (p = full; p < end; p = q) {
        size_t k;
        while (p < end && *p == '/') p++;
        for (q = p; q < end && *q != '/'; q++) {}
        k = (size_t)(q - p);
        if (k == 0 || (k == 1 && p[0] == '.')) continue;
        if (k == 2 && p[0] == '.' && p[1] == '.') {
            if (n > 1)
                for (n--; n > 1 && out[n - 1] != '/'; n--) {}
            continue;
        }
        memcpy(out + n, p, k);
        n += k;
        out[n++] = '/';
    }
    out[n] = '\0';
    ca_buf_fini(&b);
    *out_ = out;
    return CA_OK;
}

/* May the PCH stand in for the preamble of in->path, given everything but the text?  It may
 * not when a plain parse could see its preamble differently: other arguments than the build's
 * (clang checks some, such as the language, but not that a -D differs), arguments that add
 * text before the file (-include, -imacros, another PCH; -Xclang: anything), a Python.h in the
 * file's own directory (#include "Python.h" would find that one; the PCH was built elsewhere),
 * or when the plain parse would extract something from the preamble's headers, which a PCH
 * hides: a .c file among them (included_c), or a header under the file's directory (clang's
 * name for it, or its real path) that is not under Python's (file_src; conservative: a system
 * header under the file's directory would not be extracted either).  Nor when a header it read
 * changed since the build: clang would notice it only for headers that are not system headers. */
static bool pch_fits(const struct ca_front_input *in, const struct ca_pch_info *pi, bool *nomem)
{
    static const char *const bad[] = {"-include", "--include", "-imacros", "--imacros", "-Xclang"};
    char real[PATH_MAX], *dirs[2] = {NULL, NULL};
    bool ok = pi->python && pi->preamble && in->nargs == pi->nargs;
    size_t i, j, k;
    for (i = 0; i < in->nargs && ok; i++) ok = strcmp(in->args[i], pi->args[i]) == 0;
    for (i = 0; i < in->nargs && ok; i++)
        for (k = 0; k < sizeof bad / sizeof *bad && ok; k++)
            ok = strncmp(in->args[i], bad[k], strlen(bad[k])) != 0;
    for (i = 0; i < pi->ndeps && ok; i++) {
        size_t n = strlen(pi->deps[i]);
        ok = !(n > 2 && strcmp(pi->deps[i] + n - 2, ".c") == 0);
    }
    if (ok) {
        enum ca_status st = clean_dir(in->path, &dirs[0]);
        if (st == CA_OK && realpath(in->path, real)) st = clean_dir(real, &dirs[1]);
        *nomem = st == CA_ERR_NOMEM;
        ok = st == CA_OK;
    }
    for (j = 0; j < 2 && ok; j++) {
        struct ca_buf b;
        struct stat sb;
        size_t n;
        if (!dirs[j]) continue;
        n = strlen(dirs[j]);
        ca_buf_init(&b);
        ca_buf_printf(&b, "%sPython.h", dirs[j]);
        if (b.failed) *nomem = true, ok = false;
        else if (stat(b.data, &sb) == 0) ok = false;
        ca_buf_fini(&b);
        for (i = 0; i < pi->ndeps && ok; i++)
            ok = !(strncmp(pi->deps[i], dirs[j], n) == 0 &&
                   !(pi->pyreal && strncmp(pi->deps[i], pi->pyreal, strlen(pi->pyreal)) == 0));
    }
    for (i = 0; i < pi->ndeps && ok; i++) ok = pi->dep_stamps && unchanged(pi->deps[i], &pi->dep_stamps[i]);
    ca_free(dirs[0]);
    ca_free(dirs[1]);
    return ok;
}

/* Does the PCH of pi stand for the preamble text[0, pl)?  When it is the same text, or the same
 * key (ca_preamble_key: the same directives, other comments and spacing). */
static bool same_preamble(const char *text, size_t pl, const struct ca_pch_info *pi, enum ca_status *st)
{
    char *ka, *kb;
    size_t na, nb;
    bool same;
    if (pl == pi->len && memcmp(text, pi->preamble, pl) == 0) return true;
    ka = ca_malloc(pl + 3);
    kb = ca_malloc(pi->len + 3);
    if (!ka || !kb) {
        *st = CA_ERR_NOMEM;
        same = false;
    } else {
        na = ca_preamble_key(text, pl, ka);
        nb = ca_preamble_key(pi->preamble, pi->len, kb);
        same = na && na == nb && memcmp(ka, kb, na) == 0;
    }
    ca_free(ka);
    ca_free(kb);
    return same;
}

/* The parse of in->path with in->pch (see ca_front_parse in front.h).  *used: the facts in *out
 * are its facts; when false nothing was written to *out and the caller parses plainly. */
static enum ca_status parse_pch(struct ca_front *fe, const struct ca_front_input *in, struct ca_tu_facts *out,
                                bool *used)
{
    const struct ca_pch_info *pi = in->pch_info;
    char *owned = NULL, *blank = NULL;
    const char *text;
    const char **args = NULL;
    size_t len, pl, i;
    bool nomem = false;
    struct CXUnsavedFile unsaved;
    CXTranslationUnit tu = NULL;
    enum CXErrorCode err;
    enum ca_status st = CA_OK;
    *used = false;
    if (!pch_fits(in, pi, &nomem)) return nomem ? CA_ERR_NOMEM : CA_OK;
    if (in->unsaved) {
        text = in->unsaved;
        len = in->unsaved_len;
    } else if ((st = ca_file_read(in->path, &owned, &len)) != CA_OK) {
        return st == CA_ERR_NOMEM ? st : CA_OK; /* the plain parse reports it */
    } else {
        text = owned;
    }
    if (!(pl = ca_preamble_len(text, len)) || !same_preamble(text, pl, pi, &st)) goto out;
    if (!(blank = ca_malloc(len + 1)) || !(args = args_plus(in->args, in->nargs, "-include-pch", in->pch))) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < pl; i++) blank[i] = text[i] == '\n' ? '\n' : ' ';
    memcpy(blank + pl, text + pl, len - pl);
    blank[len] = '\0';
    unsaved.Filename = in->path;
    unsaved.Contents = blank;
    unsaved.Length = (unsigned long)len;
    err = clang_parseTranslationUnit2(fe->index, in->path, args, (int)in->nargs + 2, &unsaved, 1, PARSE_FLAGS, &tu);
    /* Any error: a PCH that is stale (clang checks that the headers it read are unchanged),
     * corrupt, missing, made with other options, or an error of the file itself; the plain
     * parse tells which, in its own words. */
    if (err != CXError_Success || !tu || has_errors(tu)) goto out;
    *used = true;
    st = extract_tu(tu, in, pi, text, len, out);
out:
    if (tu) clang_disposeTranslationUnit(tu);
    ca_free(args);
    ca_free(blank);
    ca_free(owned);
    return st;
}

enum ca_status ca_front_parse(struct ca_front *fe, const struct ca_front_input *in, struct ca_tu_facts *out)
{
    struct stat sb;
    bool used = false;
    enum ca_status st = ca_facts_init(out, in->display ? in->display : in->path);
    if (in->pch_used) *in->pch_used = false;
    if (st != CA_OK) return st;
    if (!fe || !in->path) return CA_ERR_USAGE;
    if (!in->unsaved && stat(in->path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
        out->status = CA_TU_MISSING;
        return CA_OK;
    }
    if (in->pch && in->pch_info && ((st = parse_pch(fe, in, out, &used)) != CA_OK || used)) {
        if (in->pch_used) *in->pch_used = used;
        return st;
    }
    return parse_plain(fe, in, out);
}

/* ------------------------------------------------------------------ precompiled preambles */


/* The files a preamble's TU read, while clang_getInclusions reports them. */
struct pchdeps {
    struct ca_pch_info *pi;
    char **spelled;      /* clang's name of each file, parallel to pi->deps (unsorted yet) */
    struct ca_dep_stamp *ids; /* and its identity (dev, ino) */
    size_t nspelled, cap;
    enum ca_status st;
};

/* Each file the preamble reads (not the preamble itself), as inclusion_cb sees it: its real path,
 * its name, and the first Python.h. */
static void pch_inclusion_cb(CXFile file, CXSourceLocation *stack, unsigned depth, CXClientData data)
{
    struct pchdeps *pd = data;
    struct ca_pch_info *pi = pd->pi;
    CXString name, rs;
    const char *p, *real, *slash;
    if (depth == 0 || pd->st) return;
    name = clang_getFileName(file);
    rs = clang_File_tryGetRealPathName(file);
    p = clang_getCString(name);
    real = clang_getCString(rs);
    if (!real || !*real) real = p;
    if (p && real) {
        if (pi->ndeps == pd->cap) {
            size_t cap = pd->cap;
            if ((pd->st = ca_grow((void **)&pi->deps, &cap, pi->ndeps + 1, sizeof *pi->deps)) == CA_OK) {
                cap = pd->cap;
                pd->st = ca_grow((void **)&pd->ids, &cap, pi->ndeps + 1, sizeof *pd->ids);
            }
            if (!pd->st) pd->st = ca_grow((void **)&pd->spelled, &pd->cap, pi->ndeps + 1, sizeof *pd->spelled);
        }
        if (!pd->st) {
            CXFileUniqueID id;
            bool known = clang_getFileUniqueID(file, &id) == 0;
            pd->ids[pi->ndeps].dev = known ? id.data[0] : 0;
            pd->ids[pi->ndeps].ino = known ? id.data[1] : 0;
            pd->ids[pi->ndeps].size = -1;
            pd->ids[pi->ndeps].mtime_ns = 0;
        }
        if (!pd->st) {
            pi->deps[pi->ndeps] = ca_strdup(real);
            pd->spelled[pi->ndeps] = ca_strdup(p);
            if (pi->deps[pi->ndeps] && pd->spelled[pi->ndeps]) {
                pd->nspelled = ++pi->ndeps;
            } else {
                ca_free(pi->deps[pi->ndeps]);
                ca_free(pd->spelled[pi->ndeps]);
                pd->st = CA_ERR_NOMEM;
            }
        }
        slash = strrchr(p, '/');
        if (!pd->st && !pi->python && strcmp(slash ? slash + 1 : p, "Python.h") == 0) {
            pi->python = true;
            if (slash && !(pi->pydir = ca_strndup(p, (size_t)(slash - p) + 1))) pd->st = CA_ERR_NOMEM;
            slash = strrchr(real, '/');
            if (slash && !(pi->pyreal = ca_strndup(real, (size_t)(slash - real) + 1))) pd->st = CA_ERR_NOMEM;
        }
    }
    clang_disposeString(rs);
    clang_disposeString(name);
}

/* A dep and what goes with it, for sorting them together. */
struct depflag {
    char *real;
    bool py;
    struct ca_dep_stamp id;
};

static int cmp_depflag(const void *a, const void *b)
{
    return strcmp(((const struct depflag *)a)->real, ((const struct depflag *)b)->real);
}

/* Sort pi->deps, drop duplicates, and decide dep_python by the rule of declared_by_python: clang's
 * name of the file begins with pydir (a file met under two names is Python's if either is). */
static enum ca_status pch_sort_deps(struct ca_pch_info *pi, char **spelled, const struct ca_dep_stamp *ids)
{
    struct depflag *v;
    size_t i, n = 0, npydir = pi->pydir ? strlen(pi->pydir) : 0;
    if (!pi->ndeps) return CA_OK;
    if (!(v = ca_malloc(pi->ndeps * sizeof *v)) || !(pi->dep_python = ca_calloc(pi->ndeps, sizeof *pi->dep_python)) ||
        !(pi->dep_stamps = ca_calloc(pi->ndeps, sizeof *pi->dep_stamps))) {
        ca_free(v);
        return CA_ERR_NOMEM;
    }
    for (i = 0; i < pi->ndeps; i++) {
        v[i].real = pi->deps[i];
        v[i].py = pi->pydir && strncmp(spelled[i], pi->pydir, npydir) == 0;
        v[i].id = ids[i];
    }
    qsort(v, pi->ndeps, sizeof *v, cmp_depflag);
    for (i = 0; i < pi->ndeps; i++) {
        if (n && strcmp(v[n - 1].real, v[i].real) == 0) {
            v[n - 1].py = v[n - 1].py || v[i].py;
            ca_free(v[i].real);
            continue;
        }
        v[n++] = v[i];
    }
    for (i = 0; i < n; i++) {
        pi->deps[i] = v[i].real;
        pi->dep_python[i] = v[i].py;
        pi->dep_stamps[i] = v[i].id;
        stamp(pi->deps[i], &pi->dep_stamps[i]);
    }
    pi->ndeps = n;
    ca_free(v);
    return CA_OK;
}

/* The build (see front.h).  The header is parsed from memory, as an unsaved file: clang marks
 * such an input "overridden" and does not check it when the PCH is used, so the PCH stays valid
 * whoever rewrites header_path; the headers it includes are checked.  The preprocessing record
 * is kept in the PCH: a file's expansion of a macro is recorded only when the record knows the
 * macro's definition, and Py_BEGIN_ALLOW_THREADS and friends are defined in the PCH. */
enum ca_status ca_front_build_pch(struct ca_front *fe, const char *const *args, size_t nargs, const char *preamble,
                                  size_t len, const char *header_path, const char *pch_path,
                                  struct ca_pch_info *info)
{
    struct pchdeps pd = {info, NULL, NULL, 0, 0, CA_OK};
    struct CXUnsavedFile unsaved;
    CXTranslationUnit tu = NULL;
    const char **argv = NULL;
    struct ca_buf tmp;
    enum ca_status st = CA_OK;
    size_t i;
    int fd = -1;
    memset(info, 0, sizeof *info);
    ca_buf_init(&tmp);
    if (!fe || !preamble || !header_path || !pch_path || len == 0 || ca_preamble_len(preamble, len) != len)
        return CA_ERR_USAGE;
    if (!(info->preamble = ca_strndup(preamble, len)) || !(argv = args_plus(args, nargs, "-x", "c-header"))) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    info->len = len;
    if (nargs && !(info->args = ca_calloc(nargs, sizeof *info->args))) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < nargs; i++, info->nargs++)
        if (!(info->args[i] = ca_strdup(args[i]))) {
            st = CA_ERR_NOMEM;
            goto out;
        }
    if ((st = ca_file_write_atomic(header_path, preamble, len)) != CA_OK) goto out;
    unsaved.Filename = header_path;
    unsaved.Contents = preamble;
    unsaved.Length = (unsigned long)len;
    if (clang_parseTranslationUnit2(fe->index, header_path, argv, (int)nargs + 2, &unsaved, 1,
                                    PARSE_FLAGS | CXTranslationUnit_ForSerialization | CXTranslationUnit_Incomplete |
                                        CXTranslationUnit_SkipFunctionBodies,
                                    &tu) != CXError_Success ||
        !tu || has_errors(tu)) {
        st = CA_ERR_PARSE;
        goto out;
    }
    clang_getInclusions(tu, pch_inclusion_cb, &pd);
    if ((st = pd.st) != CA_OK || (st = pch_sort_deps(info, pd.spelled, pd.ids)) != CA_OK) goto out;
    /* mkstemp reserves a unique name; clang then writes its own temporary file and renames it
     * over that one, and ours is renamed over pch_path: each step replaces a whole file. */
    ca_buf_printf(&tmp, "%s.XXXXXX", pch_path);
    if (tmp.failed) {
        st = CA_ERR_NOMEM;
        goto out;
    }
    if ((fd = mkstemp(tmp.data)) < 0) {
        st = CA_ERR_IO;
        goto out;
    }
    close(fd);
    if (clang_saveTranslationUnit(tu, tmp.data, clang_defaultSaveOptions(tu)) != CXSaveError_None ||
        chmod(tmp.data, 0644) != 0 || rename(tmp.data, pch_path) != 0)
        st = CA_ERR_IO;
out:
    if (fd >= 0 && st != CA_OK) unlink(tmp.data);
    for (i = 0; i < pd.nspelled; i++) ca_free(pd.spelled[i]);
    ca_free(pd.spelled);
    ca_free(pd.ids);
    ca_buf_fini(&tmp);
    ca_free(argv);
    if (tu) clang_disposeTranslationUnit(tu);
    return st;
}
