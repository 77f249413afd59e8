/* release_per_iteration.c: read_chunks(fd, size) returns a list of the chunks read from a
 * pipe, releasing the GIL only around each read() (the pattern of Modules/_io/fileio.c).
 * The method starts with the GIL held (PyMethodDef).  Inside the loop the body releases the
 * GIL for read() and re-acquires it for PyBytes_FromStringAndSize and PyList_Append, so the
 * loop's GIL state is mixed and it calls the Python API.  The waiting happens with the GIL
 * released, which is what matters for io: threading.  Balanced on every path: no
 * diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

static PyObject *
periter_read_chunks(PyObject *module, PyObject *args)
{
    int fd;
    Py_ssize_t size;
    ssize_t n;
    char buf[65536];
    PyObject *list, *chunk;

    if (!PyArg_ParseTuple(args, "in:read_chunks", &fd, &size))
        return NULL;
    if (size <= 0 || size > (Py_ssize_t)sizeof buf) {
        PyErr_SetString(PyExc_ValueError, "chunk size out of range");
        return NULL;
    }
    list = PyList_New(0);
    if (list == NULL)
        return NULL;

    /* expect: loop classification=io gil=mixed recommendation=threading python_api=true */
    for (;;) {
        Py_BEGIN_ALLOW_THREADS
        n = read(fd, buf, (size_t)size);
        Py_END_ALLOW_THREADS
        if (n < 0) {
            Py_DECREF(list);
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        if (n == 0)
            break;
        chunk = PyBytes_FromStringAndSize(buf, n);
        if (chunk == NULL || PyList_Append(list, chunk) < 0) {
            Py_XDECREF(chunk);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(chunk);
    }
    return list;
}

static PyMethodDef periter_methods[] = {
    {"read_chunks", periter_read_chunks, METH_VARARGS,
     "read_chunks(fd, size) -> list of bytes read until end of file."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef periter_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_periter",
    .m_size = -1,
    .m_methods = periter_methods,
};

PyMODINIT_FUNC
PyInit__periter(void)
{
    return PyModule_Create(&periter_module);
}
