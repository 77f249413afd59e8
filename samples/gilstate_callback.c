/* gilstate_callback.c: watch(fd, callback) starts a native thread with
 * PyThread_start_new_thread that reads messages from fd and hands each one to a Python
 * callback.  A thread started that way runs its start routine WITHOUT the GIL, so read()
 * runs released; the body then takes the GIL with PyGILState_Ensure only for the call and
 * gives it back with PyGILState_Release.  The loop's GIL state is therefore mixed, it calls
 * the Python API, and it mostly waits in read(): io, threading.  Every Python call sits
 * between Ensure and Release: no diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

struct gilcb_watch {
    int fd;
    PyObject *callback;   /* strong reference, dropped by the worker */
};

static void
gilcb_worker(void *arg)
{
    struct gilcb_watch *w = arg;
    char msg[512];
    ssize_t n;
    PyObject *res;
    PyGILState_STATE st;

    /* expect: loop classification=io gil=mixed recommendation=threading python_api=true */
    for (;;) {
        n = read(w->fd, msg, sizeof msg);
        if (n <= 0)
            break;
        st = PyGILState_Ensure();
        res = PyObject_CallFunction(w->callback, "y#", msg, (Py_ssize_t)n);
        if (res == NULL)
            PyErr_WriteUnraisable(w->callback);
        Py_XDECREF(res);
        PyGILState_Release(st);
    }

    st = PyGILState_Ensure();
    Py_DECREF(w->callback);
    PyGILState_Release(st);
    PyMem_RawFree(w);
}

static PyObject *
gilcb_watch(PyObject *module, PyObject *args)
{
    int fd;
    PyObject *callback;
    struct gilcb_watch *w;

    if (!PyArg_ParseTuple(args, "iO:watch", &fd, &callback))
        return NULL;
    if (!PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable");
        return NULL;
    }
    w = PyMem_RawMalloc(sizeof *w);
    if (w == NULL)
        return PyErr_NoMemory();
    w->fd = fd;
    w->callback = Py_NewRef(callback);
    if (PyThread_start_new_thread(gilcb_worker, w) == PYTHREAD_INVALID_THREAD_ID) {
        Py_DECREF(w->callback);
        PyMem_RawFree(w);
        PyErr_SetString(PyExc_RuntimeError, "can't start new thread");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef gilcb_methods[] = {
    {"watch", gilcb_watch, METH_VARARGS,
     "watch(fd, callback): call callback(message) for each message read from fd."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef gilcb_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_gilcb",
    .m_size = -1,
    .m_methods = gilcb_methods,
};

PyMODINIT_FUNC
PyInit__gilcb(void)
{
    return PyModule_Create(&gilcb_module);
}
