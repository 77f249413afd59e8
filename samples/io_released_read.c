/* io_released_read.c: read_exact(fd, n) reads n bytes from a file descriptor, the way
 * Modules/posixmodule.c does os.read, but looping until the buffer is full.
 * The method is in a PyMethodDef table, so it starts with the GIL held; the whole read
 * loop sits between Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS, so the loop runs
 * with the GIL released.  Blocking read() and almost no computation: io, and other
 * Python threads keep running meanwhile, so threading is the right model.
 * The bytes object is created and resized with the GIL held: no diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

static PyObject *
ioreleased_read_exact(PyObject *module, PyObject *args)
{
    int fd;
    Py_ssize_t size, got = 0;
    ssize_t n = 0;
    PyObject *buffer;
    char *p;

    if (!PyArg_ParseTuple(args, "in:read_exact", &fd, &size))
        return NULL;
    buffer = PyBytes_FromStringAndSize(NULL, size);
    if (buffer == NULL)
        return NULL;
    p = PyBytes_AS_STRING(buffer);

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=io gil=released recommendation=threading python_api=false */
    while (got < size) {
        n = read(fd, p + got, (size_t)(size - got));
        if (n <= 0)
            break;
        got += n;
    }
    Py_END_ALLOW_THREADS

    if (n < 0) {
        Py_DECREF(buffer);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (got != size && _PyBytes_Resize(&buffer, got) < 0)
        return NULL;
    return buffer;
}

static PyMethodDef ioreleased_methods[] = {
    {"read_exact", ioreleased_read_exact, METH_VARARGS,
     "read_exact(fd, size) -> bytes: read until size bytes or end of file."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef ioreleased_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ioreleased",
    .m_size = -1,
    .m_methods = ioreleased_methods,
};

PyMODINIT_FUNC
PyInit__ioreleased(void)
{
    return PyModule_Create(&ioreleased_module);
}
