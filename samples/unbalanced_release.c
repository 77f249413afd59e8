/* unbalanced_release.c: write_all(fd, data) writes a whole buffer to a file descriptor
 * with the GIL released.  The bug: on a write error the loop does `return NULL;` inside
 * the Py_BEGIN_ALLOW_THREADS region, so that path leaves the function with the GIL still
 * released (and the buffer not released), while the normal path re-acquires it at
 * Py_END_ALLOW_THREADS: gil-unbalanced-release at that return.  The write loop itself runs
 * released (the method starts held, from PyMethodDef, and releases before it) and blocks
 * in write(): io, released, threading. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <unistd.h>

static PyObject *
unbalanced_write_all(PyObject *module, PyObject *args)
{
    int fd;
    Py_buffer view;
    const char *p;
    Py_ssize_t left;
    ssize_t n;

    if (!PyArg_ParseTuple(args, "iy*:write_all", &fd, &view))
        return NULL;
    p = view.buf;
    left = view.len;

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=io gil=released recommendation=threading python_api=false */
    while (left > 0) {
        n = write(fd, p, (size_t)left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* expect-diag: gil-unbalanced-release */
            return NULL;
        }
        p += n;
        left -= n;
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(view.len);
}

static PyMethodDef unbalanced_methods[] = {
    {"write_all", unbalanced_write_all, METH_VARARGS,
     "write_all(fd, data) -> int: write all of data to fd."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef unbalanced_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_unbalanced",
    .m_size = -1,
    .m_methods = unbalanced_methods,
};

PyMODINIT_FUNC
PyInit__unbalanced(void)
{
    return PyModule_Create(&unbalanced_module);
}
