/* rules.h: the knowledge catalogs (the JSON files in rules/) and the diagnostic-rule metadata
 * (rules/checks/), loaded once at start and read-only afterwards (safe to share between
 * threads).  This module parses and answers look-ups; it makes no judgement about code. */
#ifndef CA_RULES_H
#define CA_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "ca_base.h"

/* What blocking I/O a function does.  ORDER IOKIND */
enum ca_io_kind {
    CA_IO_NONE,
    CA_IO_FILE,    /* stdio, POSIX fd I/O on files, directory and metadata calls */
    CA_IO_NET,     /* sockets */
    CA_IO_POLL,    /* poll/select/epoll: waits for readiness */
    CA_IO_SLEEP,   /* sleep, nanosleep, usleep */
    CA_IO_WAIT,    /* waitpid, pthread_join, condition variables, semaphores, locks */
    CA_IO_DB,      /* libpq, sqlite3, ... */
    CA_IO_HTTP,    /* libcurl */
    CA_IO_TLS,     /* OpenSSL SSL_read/SSL_write/SSL_connect */
    CA_IO_DNS,     /* getaddrinfo, gethostbyname */
    CA_IO_PROCESS, /* system, popen, fork+exec helpers */
    CA_IO_TERMINAL,/* reading a terminal (readline, getchar on stdin) */
    CA_IO_CONSOLE  /* printing to stdout/stderr (printf, puts, perror): diagnostics and logging.
                      Counts for the loop that calls it directly, but does not make its callers
                      I/O-bound and is not a GIL problem (it is how error paths report) */
};

/* What a GIL primitive does to the calling thread's GIL state.  ORDER GILEFFECT */
enum ca_gil_effect {
    CA_GILFX_NONE,
    CA_GILFX_RELEASE,        /* PyEval_SaveThread, PyEval_ReleaseThread */
    CA_GILFX_ACQUIRE,        /* PyEval_RestoreThread, PyEval_AcquireThread */
    CA_GILFX_ENSURE,         /* PyGILState_Ensure: held afterwards, remembers the state before */
    CA_GILFX_ENSURE_RELEASE  /* PyGILState_Release: back to the state before the matching Ensure */
};

/* Cost family of a Python C-API function.  ORDER APICOST */
enum ca_api_cost {
    CA_API_CPU,   /* object work done in C: PyList_Append, PyNumber_Add, PyUnicode_* */
    CA_API_CALL,  /* runs arbitrary Python code: PyObject_Call*, PyObject_GetAttr (may run
                     descriptors); cost unknown, always under the GIL */
    CA_API_IO     /* does I/O itself: PyFile_WriteObject, PySys_WriteStdout, PyOS_Readline */
};

/* Everything the catalogs know about one function name; several roles can apply at once. */
struct ca_func_info {
    const char *name;              /* the catalog entry that matched (may end in '*') */
    enum ca_io_kind io;            /* CA_IO_NONE when not a blocking call */
    bool io_unbounded;             /* may wait without limit (recv, accept, poll, sleep, cond wait) */
    bool io_rarely;                /* blocks only in unusual conditions (close: a network file
                                      system's flush, a lingering socket): worth a warning in a loop */
    int nonblocking_if_zero;       /* does not block when this argument (0-based) is 0: the try-lock
                                      PyThread_acquire_lock(lock, 0); -1 when none */
    uint32_t cpu_weight;           /* 0: not CPU-heavy; else relative cost per call (1..100) */
    enum ca_gil_effect gil;        /* CA_GILFX_NONE unless a GIL primitive */
    bool python_api;               /* a Python C-API function that needs the GIL */
    enum ca_api_cost api_cost;     /* when python_api */
    const char *ft_borrowed;       /* returns a borrowed reference, unsafe to keep on a free-threaded
                                      build (PEP 703): the replacement to use, or NULL */
    bool ft_object_alloc;          /* object-domain allocator (PyObject_Malloc): for objects only */
    const char *unsafe_replacement;/* thread-unsafe libc call: its replacement ("strtok_r", or a
                                      sentence when there is no _r twin); NULL if safe */
    int spawn_arg;                 /* thread creator: 0-based index of the start-routine argument,
                                      -1 when not a thread creator */
    bool noreturn;                 /* abort, exit, Py_FatalError, longjmp */
    bool sync_callbacks;           /* calls the functions it is given before it returns (qsort,
                                      bsearch, ftw): they run in the caller's GIL state.  Any other
                                      external function keeps them for later: they start released */
    bool forks;                    /* returns 0 in a new child process (fork, vfork, forkpty): code
                                      that runs only where it returned 0 is in a single-threaded
                                      child, where the GIL does not keep anyone waiting */
};

/* What a Python macro means when used inside a body (matters for macros expanding to no call,
 * and for calls made inside the expansion).  ORDER MACRO */
enum ca_macro_role {
    CA_MACRO_UNKNOWN,    /* not in the catalog: its calls are judged one by one */
    CA_MACRO_NEEDS_GIL,  /* touches Python objects (PyList_GET_ITEM, PyTuple_SET_ITEM) */
    CA_MACRO_NO_GIL      /* safe without the GIL on an owned reference (PyBytes_AS_STRING):
                            calls inside its expansion do not count as Python API use */
};

/* Metadata of one diagnostic rule (rules/checks/ID.json). */
struct ca_rule_meta {
    const char *id;          /* stable kebab-case with family prefix, e.g. "gil-blocking-io-held" */
    const char *name;        /* PascalCase, for SARIF rules[].name */
    const char *severity;    /* default: "error" | "warning" | "note" */
    const char *title;       /* one line */
    const char *summary;     /* short description (SARIF shortDescription) */
    const char *description; /* full description (SARIF fullDescription) */
    const char *help;        /* how to fix (SARIF help, --explain) */
    const char *doc;         /* repository-relative path of the doc page, docs/rules/ID.md */
    const char *const *positive; uint32_t npositive; /* samples/ files that must trigger it */
    const char *const *negative; uint32_t nnegative; /* samples/ files that must not */
};

struct ca_rules;

/* A load error: where, and what.  Strings are owned by the struct (free with _fini). */
struct ca_rules_error {
    char *file;
    uint32_t line, col;  /* 0 when not applicable */
    char *message;       /* e.g. "unknown key \"nmae\"" or "expected a string for \"name\"" */
};
void ca_rules_error_fini(struct ca_rules_error *e);

/* Load every catalog and rule file from `dir` (the rules/ directory).  On failure returns
 * CA_ERR_PARSE (malformed JSON) or CA_ERR_CONFIG (unknown key, wrong type, duplicate id, missing
 * file) and fills *err with file, line, column and message; *out is NULL then.
 * The caller owns *out (ca_rules_free). */
CA_MUST_USE enum ca_status ca_rules_load(const char *dir, struct ca_rules **out, struct ca_rules_error *err);
void ca_rules_free(struct ca_rules *r);

/* Merge extra catalog entries from a user file with the same format as a catalog file
 * (for config files; same error reporting). */
CA_MUST_USE enum ca_status ca_rules_load_extra(struct ca_rules *r, const char *path, struct ca_rules_error *err);

/* Look up a function by name: exact entries first, then the longest matching prefix pattern
 * ("PyMem_Raw*").  Fills *info (with defaults for roles that do not apply) and returns true when
 * any catalog knows the name.  Thread-safe. */
bool ca_rules_find_func(const struct ca_rules *r, const char *name, struct ca_func_info *info);

enum ca_macro_role ca_rules_macro_role(const struct ca_rules *r, const char *macro);

/* True when a variable of element type `type_name` holds Python entry points in its initialiser
 * (PyMethodDef, PyGetSetDef, PyType_Slot, PyTypeObject, PyModuleDef, PyModuleDef_Slot, the
 * *Methods slot tables, PyBufferProcs). */
bool ca_rules_is_entry_table(const struct ca_rules *r, const char *type_name);
/* True when a function of this name is called by Python (PyInit_*). */
bool ca_rules_is_entry_func(const struct ca_rules *r, const char *name);

/* Diagnostic-rule metadata, sorted by id. */
uint32_t ca_rules_nmeta(const struct ca_rules *r);
const struct ca_rule_meta *ca_rules_meta(const struct ca_rules *r, uint32_t i);
const struct ca_rule_meta *ca_rules_find_meta(const struct ca_rules *r, const char *id); /* NULL if none */

const char *ca_io_kind_str(enum ca_io_kind k);

#endif
