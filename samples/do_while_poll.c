/* do_while_poll.c (extra): wait_readable(fd, timeout_ms) polls a descriptor until it is
 * readable, retrying when a signal interrupts poll().  It releases the GIL by calling
 * PyEval_SaveThread / PyEval_RestoreThread directly (no macro), around a do/while loop.
 * The method starts with the GIL held (PyMethodDef); the loop lies entirely between the
 * save and the restore, so it runs released, and it only waits in poll(): io, released,
 * threading.  Balanced, and no Python API while released: no diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <poll.h>

static PyObject *
dopoll_wait_readable(PyObject *module, PyObject *args)
{
    int fd, timeout_ms, rc, saved_errno;
    struct pollfd pfd;
    PyThreadState *save;

    if (!PyArg_ParseTuple(args, "ii:wait_readable", &fd, &timeout_ms))
        return NULL;
    pfd.fd = fd;
    pfd.events = POLLIN;

    save = PyEval_SaveThread();
    /* expect: loop classification=io gil=released recommendation=threading python_api=false */
    do {
        pfd.revents = 0;
        rc = poll(&pfd, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    saved_errno = errno;
    PyEval_RestoreThread(save);

    if (rc < 0) {
        errno = saved_errno;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    return PyBool_FromLong(rc > 0 && (pfd.revents & POLLIN));
}

static PyMethodDef dopoll_methods[] = {
    {"wait_readable", dopoll_wait_readable, METH_VARARGS,
     "wait_readable(fd, timeout_ms) -> bool: True when fd became readable in time."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef dopoll_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_dopoll",
    .m_size = -1,
    .m_methods = dopoll_methods,
};

PyMODINIT_FUNC
PyInit__dopoll(void)
{
    return PyModule_Create(&dopoll_module);
}
