/* facts.h: the plain-C facts that the front end extracts from one translation unit.
 * This is the only contract between libclang (front.c) and everything after it: the analysis
 * phases, checks and tests build or read these structs and never see libclang.
 * Facts are linked by index, not pointer, so they can be dumped, copied, cached and merged.
 * All strings live in the arena of the owning struct ca_tu_facts. */
#ifndef CA_FACTS_H
#define CA_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ca_base.h"

#define CA_NONE UINT32_MAX /* "no index" for every uint32_t link below */

struct ca_loc {
    uint32_t line, col; /* 1-based; expansion location (macro use site) in the main file, or
                           in the header of the function the fact belongs to (see
                           ca_fact_func.file); a global's in its own file (ca_fact_global.file);
                           a diag's in its own file */
};

/* ORDER LOOPKIND */
enum ca_loop_kind { CA_LOOP_FOR, CA_LOOP_WHILE, CA_LOOP_DO };

/* How the trip count of a loop is known.  ORDER BOUND */
enum ca_bound {
    CA_BOUND_UNKNOWN,  /* no recognisable induction (while (p), complex conditions) */
    CA_BOUND_CONST,    /* i < 16, i != 8: integer literal or enum/macro constant; `trip` holds it */
    CA_BOUND_VAR,      /* i < n where n is a variable, field, parameter or call result: data sized */
    CA_BOUND_INFINITE  /* for (;;), while (1), do {} while (1): runs until break/return */
};

/* A function defined in the main file, or in a project header that the main file includes:
 * a header that is not a system header, not under Python's include directory, and lies in the
 * main file's directory or below it (Argument Clinic's clinic/x.c.h, static inline helpers).
 * Every fact of a header function (its loops, calls, macros, writes, fnrefs with func set,
 * IR node locations) has its line and column in that header.  A header included by several
 * TUs gives its functions to each of them (static ones are per TU, as in C).  File-scope
 * fnrefs (func == CA_NONE) always have main-file locations: those from a header's file-scope
 * initialisers are placed at the main-file #include that brings the header in. */
struct ca_fact_func {
    const char *name;
    struct ca_loc loc, end;   /* name location and closing brace */
    bool is_static;           /* internal linkage: resolved only inside this TU */
    uint32_t ir_root;         /* index of the body's IR node (CA_IR_SEQ), CA_NONE if no body */
    uint32_t nparams;
    const char *file;         /* NULL: the main file; else the display path of the header that
                                 holds the definition: the main file's display directory joined
                                 with the header's path below the main file's directory
                                 ("Modules/_io/clinic/fileio.c.h" for "Modules/_io/fileio.c";
                                 absolute when the main display path is) */
};

struct ca_fact_loop {
    uint32_t func;            /* enclosing function */
    uint32_t parent;          /* enclosing loop in the same function, CA_NONE at top */
    uint32_t depth;           /* 0 for an outermost loop */
    enum ca_loop_kind kind;
    enum ca_bound bound;
    int64_t trip;             /* constant trip count estimate when bound == CA_BOUND_CONST, else -1 */
    struct ca_loc loc;        /* the loop keyword */
    uint32_t end_line;        /* last line of the body */
    uint32_t ops;             /* arithmetic, bitwise, comparison, subscript, deref and assignment
                                 operators in cond/inc/body, nested loops excluded */
};

enum ca_call_flags {
    CA_CALL_INDIRECT = 1u << 0, /* through a pointer; `name` is the callee expression's spelling
                                   (e.g. "self->read", "cb") or "" when it has none */
    CA_CALL_IN_MACRO = 1u << 1, /* the call text comes from a macro expansion; see `macro` */
    CA_CALL_PYDECL = 1u << 2,   /* the callee is declared in Python's headers (the directory of
                                   the Python.h this TU includes, or below it): the C-API proper,
                                   not a project function that merely starts with "Py" */
    CA_CALL_STDSTREAM = 1u << 3 /* some argument is, after parentheses and casts, the variable
                                   stdout or stderr (fprintf(stderr, ...), fputs(s, stdout),
                                   fflush(stdout)): the call writes to (or flushes) the console */
};

struct ca_fact_call {
    uint32_t func;            /* function containing the call */
    uint32_t loop;            /* innermost loop containing it (cond/inc/body), CA_NONE if none */
    struct ca_loc loc;        /* expansion location: the macro use site for macro-made calls */
    const char *name;         /* direct: the callee's declared name */
    const char *macro;        /* outermost macro expansion the call sits in, or NULL */
    uint32_t flags;           /* enum ca_call_flags */
    uint32_t nargs;
    uint32_t zero_args;       /* direct calls: bit k set when argument k (k < 32) is, after
                                 parentheses and casts, the integer constant 0 (a literal, or a
                                 macro or enumerator that is 0: NOWAIT_LOCK): the catalogs'
                                 nonblocking_if_zero (PyThread_acquire_lock(lock, 0) is a
                                 try-lock).  Not in --dump-facts */
    const char *fptype;       /* indirect calls: the called function type, canonical and spelled
                                 by clang ("void (unsigned char *, const unsigned char *, int)"):
                                 the pointee of the callee expression's type.  It is spelled like
                                 ca_fact_fnref.fntype, so candidates match by string equality
                                 (both interned: equal strings of one TU are one pointer).  NULL
                                 for direct calls and when the callee's type is not a function
                                 pointer */
    const char *field;        /* indirect calls through a struct or union member: the member's
                                 name ("shuffle" for st->shuffle(x), (*st->shuffle)(x),
                                 tbl[i].shuffle(x); "fns" for st->fns[i](x)); NULL otherwise */
};

/* A macro expanded inside a function body (function-like or object-like),
 * recorded because some Python API macros expand to no call at all (PyList_GET_ITEM). */
struct ca_fact_macro {
    uint32_t func;
    uint32_t loop;            /* innermost loop containing the expansion, CA_NONE if none */
    struct ca_loc loc;
    const char *name;
};

/* An assignment (=, op=, ++, --) whose target is a global or a static local variable
 * (directly, or an element/field of one). */
struct ca_fact_write {
    uint32_t func;
    uint32_t loop;
    struct ca_loc loc;
    const char *name;         /* the variable */
    bool is_static_local;
};

/* ORDER FNREF */
enum ca_fnref_ctx {
    CA_FNREF_ARG,    /* passed as argument `arg` to the call `call` */
    CA_FNREF_INIT,   /* in the initialiser of a file-scope or static variable of type `holder_type` */
    CA_FNREF_ASSIGN, /* assigned (x.f = fn, p->f = fn, v = fn) inside a function */
    CA_FNREF_OTHER   /* any other use of the function's address */
};

/* A use of a function's name other than calling it: the raw material for Python entry tables
 * (PyMethodDef, type slots), thread start routines and callbacks, and the candidate targets of
 * calls through pointers (fntype, field). */
struct ca_fact_fnref {
    enum ca_fnref_ctx ctx;
    const char *name;         /* the function referred to */
    uint32_t func;            /* function where the reference appears, CA_NONE at file scope */
    uint32_t call;            /* CA_FNREF_ARG: the call index */
    uint32_t arg;             /* CA_FNREF_ARG: 0-based argument position */
    const char *holder_type;  /* CA_FNREF_INIT: element type name of the variable being
                                 initialised, without qualifiers/arrays ("PyMethodDef",
                                 "PyTypeObject", "PyType_Slot"); CA_FNREF_ASSIGN: the field name
                                 or NULL */
    struct ca_loc loc;
    const char *fntype;       /* the referenced function's type, canonical and spelled by clang,
                                 in the form of ca_fact_call.fptype ("int (int)").  Attributes
                                 that are part of the type are spelled too: a noreturn function
                                 is "void (int) __attribute__((noreturn))" and does not equal a
                                 plain "void (int)" pointer */
    const char *field;        /* CA_FNREF_INIT: the struct/union field the name initialises, when
                                 known: designated (.tp_dealloc = f, the innermost designator of
                                 .a.b = f) or positional (the n-th field of the record, counted
                                 from the last designator); an element of an array field carries
                                 the array field's name.  NULL at the top level (fn_t cb = f, an
                                 array of function pointers), after brace elision or a nested
                                 designator (the position is not followed then), and for unnamed
                                 members.  CA_FNREF_ASSIGN: the same as holder_type (the member
                                 assigned, or NULL).  NULL for the other contexts */
};

/* A variable with static storage defined in an extracted file (see ca_fact_func): a file-scope
 * definition (tentative `int n;` included; `extern` declarations without an initialiser and
 * _Thread_local variables are not recorded; one fact per name, at its first definition), or a
 * static local of an extracted function.  The raw material of free-threading checks. */
struct ca_fact_global {
    const char *name;
    struct ca_loc loc;        /* the name, in the file of `file` */
    const char *file;         /* NULL: the main file; else the header's display path, as for
                                 ca_fact_func.file */
    bool is_static;           /* internal linkage, or a static local */
    bool is_const;            /* the object is const: its type, arrays stripped, is const-qualified
                                 (const int, const char *const[]; not const char *) */
    bool pyobject;            /* holds Python objects: its type, arrays stripped, is a pointer to
                                 PyObject (canonically "struct _object") or to a record whose
                                 first field is named ob_base (PyTypeObject *, PyTupleObject *,
                                 an extension's object struct); PyObject *cache[8] counts too */
    bool is_static_local;
    uint32_t func;            /* static locals: the function that declares it; else CA_NONE */
};

/* ---- control-flow IR: the function body reduced to what GIL tracking needs.
 * Nodes form a tree by index (first_child / next_sibling).  Only calls and control flow are
 * kept; a statement with neither produces no node.  ORDER IRKIND */
enum ca_ir_kind {
    CA_IR_SEQ,      /* children run in order */
    CA_IR_BRANCH,   /* children are alternatives (if/else arms, ?: arms, && / || right side);
                       flag CA_IR_MAY_SKIP: control may also pass with none of them */
    CA_IR_LOOP,     /* ref = loop index; children = one iteration in execution order:
                       for: cond, body, inc; while: cond, body; do: body, cond.  Each child is a
                       SEQ (possibly empty). flag CA_IR_TEST_FIRST for for/while */
    CA_IR_SWITCH,   /* children: cond (SEQ), body (SEQ containing CASE nodes) */
    CA_IR_CASE,     /* a case/default label inside a switch body; flag CA_IR_DEFAULT for default */
    CA_IR_CALL,     /* ref = call index; children = argument evaluations (calls inside args) */
    CA_IR_RETURN,   /* children: the returned expression's evaluation */
    CA_IR_BREAK,
    CA_IR_CONTINUE,
    CA_IR_GOTO,     /* label = target name */
    CA_IR_LABEL     /* label = name; the labelled statement follows as the next sibling */
};

/* CA_IR_ZERO_*: a BRANCH whose condition tests the result of the call `ref` of the same function
 * against 0 (`pid == 0`, `!pid`, `pid != 0`, `pid`, `(pid = fork()) == 0`, with pid a local
 * variable last assigned that call): which path runs when it returned 0.  The analysis decides
 * whether the call is one whose 0 means "in a forked child" (the gil catalog's `forks`). */
enum ca_ir_flags { CA_IR_MAY_SKIP = 1u << 0, CA_IR_TEST_FIRST = 1u << 1, CA_IR_DEFAULT = 1u << 2,
                   CA_IR_ZERO_ARM0 = 1u << 3, /* the first child */
                   CA_IR_ZERO_ARM1 = 1u << 4, /* the second child */
                   CA_IR_ZERO_SKIP = 1u << 5  /* none of them: the path that skips the branch */ };

struct ca_ir_node {
    enum ca_ir_kind kind;
    uint32_t flags;
    uint32_t first_child, next_sibling; /* CA_NONE when absent */
    uint32_t ref;                       /* call or loop index; BRANCH with CA_IR_ZERO_*: the tested
                                           call; CA_NONE otherwise */
    const char *label;                  /* GOTO / LABEL */
    struct ca_loc loc;                  /* RETURN, GOTO: the keyword (set by the front end after
                                           ca_facts_add_ir; zero when unknown) */
};

/* A diagnostic from clang about this file (errors and fatal errors only). */
struct ca_fact_diag {
    const char *file;         /* as clang reports it */
    struct ca_loc loc;
    const char *message;
};

enum ca_tu_status { CA_TU_OK, CA_TU_PARSE_ERROR, CA_TU_MISSING };

struct ca_tu_facts {
    const char *path;         /* as the user gave it (display path) */
    enum ca_tu_status status;
    bool python;              /* includes Python.h (directly or not) */
    bool ft_declared;         /* PEP 703: the text of the main file or of an extracted header has
                                 one of the words Py_mod_gil, PyUnstable_Module_SetGIL or
                                 PyModule_ExperimentalSetGIL outside comments and string literals
                                 (a text scan: such code is usually behind #ifdef Py_GIL_DISABLED
                                 or a version check that the AST of older headers does not see) */
    struct ca_fact_func *funcs;   uint32_t nfuncs;
    struct ca_fact_loop *loops;   uint32_t nloops;
    struct ca_fact_call *calls;   uint32_t ncalls;
    struct ca_fact_macro *macros; uint32_t nmacros;
    struct ca_fact_write *writes; uint32_t nwrites;
    struct ca_fact_fnref *fnrefs; uint32_t nfnrefs;
    struct ca_ir_node *ir;        uint32_t nir;
    struct ca_fact_diag *diags;   uint32_t ndiags;
    struct ca_fact_global *globals; uint32_t nglobals;
    const char **included_c;  uint32_t nincluded_c; /* real paths (clang_File_tryGetRealPathName,
                                 else the name clang opened) of the files with a ".c" name that
                                 this TU includes, directly or not, other than the main file
                                 (python-cffi's _cffi_backend.c includes call_python.c), once
                                 each, in inclusion order.  Set also for a TU with clang errors */
    const char **deps;        uint32_t ndeps; /* every file other than the main file that the
                                 TU read (headers, included .c files, and the headers of the
                                 precompiled preamble it was parsed with), by real path as for
                                 included_c, sorted and unique: what the facts depend on besides
                                 the main file and the arguments (the cache's key).  Set also for a
                                 TU with clang errors; not in --dump-facts */
    struct ca_arena arena;    /* owns every string above */
    size_t cap_[11];          /* private: capacities of the heap arrays above (freed by fini) */
};

/* init: empty facts for `path` (copied). fini: releases the arena. */
CA_MUST_USE enum ca_status ca_facts_init(struct ca_tu_facts *f, const char *path);
void ca_facts_fini(struct ca_tu_facts *f);

/* Builder helpers used by the front end and by tests that hand-build facts.  Each appends one
 * element (strings copied into the arena) and returns its index via *idx (may be NULL).
 * Arrays are heap-allocated and grow by doubling; on failure they return CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_facts_add_func(struct ca_tu_facts *f, const struct ca_fact_func *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_loop(struct ca_tu_facts *f, const struct ca_fact_loop *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_call(struct ca_tu_facts *f, const struct ca_fact_call *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_macro(struct ca_tu_facts *f, const struct ca_fact_macro *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_write(struct ca_tu_facts *f, const struct ca_fact_write *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_fnref(struct ca_tu_facts *f, const struct ca_fact_fnref *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_diag(struct ca_tu_facts *f, const struct ca_fact_diag *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_global(struct ca_tu_facts *f, const struct ca_fact_global *v, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_included_c(struct ca_tu_facts *f, const char *path, uint32_t *idx);
CA_MUST_USE enum ca_status ca_facts_add_dep(struct ca_tu_facts *f, const char *path, uint32_t *idx);
/* Sorts deps and removes duplicates (the front end adds them in inclusion order). */
void ca_facts_sort_deps(struct ca_tu_facts *f);
/* Adds a node with no children; link it with ca_facts_ir_append(parent, child). */
CA_MUST_USE enum ca_status ca_facts_add_ir(struct ca_tu_facts *f, enum ca_ir_kind kind, uint32_t flags,
                                           uint32_t ref, const char *label, uint32_t *idx);
/* Appends `child` as the last child of `parent` (O(children)). */
void ca_facts_ir_append(struct ca_tu_facts *f, uint32_t parent, uint32_t child);

/* One line per fact, stable order, for --dump-facts and front-end tests.  Formats (a type T
 * may contain spaces; fptype= and fntype= come last and run to the end of the line):
 *   tu PATH status=ok|parse-error|missing python=0|1 ft=0|1
 *   include-c PATH
 *   func NAME L:C-L static=0|1 params=N [file=PATH]    (file= only for a header function)
 *   loop #I KIND L:C-END func=NAME parent=#P|- depth=D bound=unknown|const|var|infinite trip=T ops=N
 *   call L:C NAME func=NAME loop=#I|- [indirect] [pydecl] [stdstream] [macro=M] [field=F] args=N [fptype=T]
 *   macro L:C NAME func=NAME loop=#I|-
 *   write L:C NAME func=NAME loop=#I|- [static-local]
 *   fnref L:C NAME ctx=arg|init|assign|other [func=F] [call=L:C CALLEE arg=N] [field=F] [holder=T] [fntype=T]
 *   global L:C NAME [static] [const] [pyobject] [func=F] [file=PATH]    (func= only for a static local)
 *   ir FUNC: (nested s-expression of the body IR, e.g. (seq (call PyEval_SaveThread) (loop #0 ...)))
 *   diag FILE:L:C MESSAGE */
void ca_facts_dump(FILE *out, const struct ca_tu_facts *f);

const char *ca_loop_kind_str(enum ca_loop_kind k);
const char *ca_bound_str(enum ca_bound b);

#endif
