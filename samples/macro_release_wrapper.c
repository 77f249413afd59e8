/* macro_release_wrapper.c: adler(data) computes an Adler-32 style checksum of a buffer.
 * The project hides the GIL release behind its own macros, NOGIL_BEGIN / NOGIL_END, which
 * expand to Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS (so PyEval_SaveThread and
 * PyEval_RestoreThread); the tool must see through them rather than trust the names.
 * The method starts with the GIL held (PyMethodDef) and the checksum loop runs between
 * the macros, so it is cpu with the GIL released: threading.  No diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define NOGIL_BEGIN Py_BEGIN_ALLOW_THREADS
#define NOGIL_END   Py_END_ALLOW_THREADS

#define ADLER_MOD 65521u

static PyObject *
macrowrap_adler(PyObject *module, PyObject *args)
{
    Py_buffer view;
    const unsigned char *p;
    Py_ssize_t i;
    uint32_t a = 1, b = 0;

    if (!PyArg_ParseTuple(args, "y*:adler", &view))
        return NULL;
    p = view.buf;

    NOGIL_BEGIN
    /* expect: loop classification=cpu gil=released recommendation=threading python_api=false */
    for (i = 0; i < view.len; i++) {
        a = (a + p[i]) % ADLER_MOD;
        b = (b + a) % ADLER_MOD;
    }
    NOGIL_END

    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong((unsigned long)((b << 16) | a));
}

static PyMethodDef macrowrap_methods[] = {
    {"adler", macrowrap_adler, METH_VARARGS, "adler(data) -> int checksum."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef macrowrap_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_macrowrap",
    .m_size = -1,
    .m_methods = macrowrap_methods,
};

PyMODINIT_FUNC
PyInit__macrowrap(void)
{
    return PyModule_Create(&macrowrap_module);
}
