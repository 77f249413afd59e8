/* mixed_read_checksum.c: fletcher(fd) reads a file descriptor to the end and computes a
 * Fletcher-32 style checksum, all between Py_BEGIN_ALLOW_THREADS and
 * Py_END_ALLOW_THREADS, so both loops run with the GIL released (the method starts
 * held, from PyMethodDef, and releases before the outer loop).  The outer loop blocks in
 * read() and also does substantial computation through its nested loop: mixed.  The inner
 * loop only computes: cpu.  Both are released, so threading for each. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <unistd.h>

static PyObject *
mixedck_fletcher(PyObject *module, PyObject *args)
{
    int fd;
    unsigned char buf[16384];
    ssize_t n, i;
    uint32_t sum1 = 0, sum2 = 0;

    if (!PyArg_ParseTuple(args, "i:fletcher", &fd))
        return NULL;

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=mixed gil=released recommendation=threading python_api=false */
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        /* expect: loop classification=cpu gil=released recommendation=threading python_api=false */
        for (i = 0; i < n; i++) {
            sum1 = (sum1 + buf[i]) % 65535u;
            sum2 = (sum2 + sum1) % 65535u;
        }
    }
    Py_END_ALLOW_THREADS

    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromUnsignedLong((unsigned long)((sum2 << 16) | sum1));
}

static PyMethodDef mixedck_methods[] = {
    {"fletcher", mixedck_fletcher, METH_VARARGS, "fletcher(fd) -> int checksum of the rest of fd."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef mixedck_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_mixedck",
    .m_size = -1,
    .m_methods = mixedck_methods,
};

PyMODINIT_FUNC
PyInit__mixedck(void)
{
    return PyModule_Create(&mixedck_module);
}
