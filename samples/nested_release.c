/* nested_release.c: write_records(fd, data, size) writes a buffer as fixed-size records.
 * The caller releases the GIL around the whole loop, and the loop calls write_record, a
 * helper that releases it AGAIN around its write() (it was written to be called with the
 * GIL held).  Inside the caller's region the thread has no GIL, so the helper's
 * Py_BEGIN_ALLOW_THREADS (PyEval_SaveThread) releases while already released, which
 * fails at run time: gil-nested-release at that line in the helper.  The loop runs
 * released and blocks in write() through the helper: io, released, threading. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

static int
write_record(int fd, const char *rec, size_t len)
{
    ssize_t n;

    /* expect-diag: gil-nested-release */
    Py_BEGIN_ALLOW_THREADS
    n = write(fd, rec, len);
    Py_END_ALLOW_THREADS
    return n == (ssize_t)len ? 0 : -1;
}

static PyObject *
nestedrel_write_records(PyObject *module, PyObject *args)
{
    int fd, rc = 0;
    Py_buffer view;
    Py_ssize_t size, off, len;

    if (!PyArg_ParseTuple(args, "iy*n:write_records", &fd, &view, &size))
        return NULL;
    if (size <= 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "record size must be positive");
        return NULL;
    }

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=io gil=released recommendation=threading python_api=false */
    for (off = 0; off < view.len; off += size) {
        len = view.len - off < size ? view.len - off : size;
        if (write_record(fd, (const char *)view.buf + off, (size_t)len) < 0) {
            rc = -1;
            break;
        }
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyMethodDef nestedrel_methods[] = {
    {"write_records", nestedrel_write_records, METH_VARARGS,
     "write_records(fd, data, size): write data as records of size bytes."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef nestedrel_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_nestedrel",
    .m_size = -1,
    .m_methods = nestedrel_methods,
};

PyMODINIT_FUNC
PyInit__nestedrel(void)
{
    return PyModule_Create(&nestedrel_module);
}
