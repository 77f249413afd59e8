/* io_held_recv.c: recv_all(sock, n) receives exactly n bytes from a socket, but forgets
 * to release the GIL (compare Modules/socketmodule.c, which wraps every recv in
 * Py_BEGIN_ALLOW_THREADS).  The method is in a PyMethodDef table, so it runs with the GIL
 * held and nothing in it releases it: the recv loop is io with the GIL held, so every
 * other Python thread stalls while the peer is slow.  The fix is to release the GIL
 * around the loop (release-gil), and the blocking recv is flagged where it is called. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sys/socket.h>
#include <sys/types.h>

static PyObject *
ioheld_recv_all(PyObject *module, PyObject *args)
{
    int sock;
    Py_ssize_t size, got = 0;
    ssize_t n = 0;
    PyObject *result;
    char *p;

    if (!PyArg_ParseTuple(args, "in:recv_all", &sock, &size))
        return NULL;
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL)
        return NULL;
    p = PyBytes_AS_STRING(result);

    /* expect: loop classification=io gil=held recommendation=release-gil python_api=false */
    while (got < size) {
        /* expect-diag: gil-blocking-io-held */
        n = recv(sock, p + got, (size_t)(size - got), 0);
        if (n <= 0)
            break;
        got += n;
    }

    if (n < 0) {
        Py_DECREF(result);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (got != size && _PyBytes_Resize(&result, got) < 0)
        return NULL;
    return result;
}

static PyMethodDef ioheld_methods[] = {
    {"recv_all", ioheld_recv_all, METH_VARARGS,
     "recv_all(sock, size) -> bytes: receive until size bytes or end of stream."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef ioheld_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ioheld",
    .m_size = -1,
    .m_methods = ioheld_methods,
};

PyMODINIT_FUNC
PyInit__ioheld(void)
{
    return PyModule_Create(&ioheld_module);
}
