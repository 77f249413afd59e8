/* preamble.h: the precompilable preamble of a C file, found in its text.  The front end parses a
 * file that begins with "#define PY_SSIZE_T_CLEAN / #include <Python.h>" (or CPython's
 * "#ifndef Py_BUILD_CORE_BUILTIN ... #endif / #include "Python.h"") with a precompiled header
 * of those lines, so that the ~16,000 lines of Python.h are parsed once per group of files
 * instead of once per file.  This module only reads text: no libclang, no allocation, no file
 * access; it does not evaluate conditionals or expand macros. */
#ifndef CA_PREAMBLE_H
#define CA_PREAMBLE_H

#include <stddef.h>

/* The length in bytes of the preamble of `text` (`len` bytes, need not be NUL-terminated): the
 * text up to and including the newline that ends the line that includes Python.h
 * (#include <Python.h> or #include "Python.h", any spacing, "# include", a comment after it),
 * or up to the end of the text when that line is the last one and has no newline.  Everything
 * before that line must be blank lines, comments (block comments may span lines) and the
 * directives #define, #undef, #if, #ifdef, #ifndef, #elif, #else and #endif (line
 * continuations and comments allowed), with every #if closed at that point.  Returns 0 (no
 * preamble) otherwise: code, any other directive (an #include of another header, #pragma,
 * #line, #error), an include of Python.h inside a conditional, a conditional that tests
 * __has_include (it looks next to the file that contains it, and the precompiled header does
 * not live next to the file), a block comment that runs past the include's line, a carriage
 * return that does not end a line (a line break of its own for clang, but the front end keeps
 * line numbers by keeping '\n' only), a NUL byte, or no include of Python.h at all. */
size_t ca_preamble_len(const char *text, size_t len);

/* The key of a preamble: `text` (`len` bytes, a whole preamble: ca_preamble_len(text, len) ==
 * len) as the preprocessor sees it, written to `out` (room for len + 3 bytes), NUL-terminated;
 * returns its length, 0 when text is not exactly one preamble.  Comments, blank lines, line
 * splices and line breaks inside comments are dropped, every run of white space between two
 * tokens of a directive becomes one space (none at the ends, none between '#' and the
 * directive's name, one before the header name of the #include), each directive ends with one
 * '\n'; string and character literals are kept as written.  Preambles with the same key are
 * the same tokens, with white space at the same places (which tells "#define f(x)" from
 * "#define f (x)"), so a PCH built from one stands for the other: files that differ only in
 * their leading comment (most of CPython's Modules/) share one PCH.  The one thing a key drops
 * that could matter is __LINE__ in an #if of the preamble. */
size_t ca_preamble_key(const char *text, size_t len, char *out);

#endif
