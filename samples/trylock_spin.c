/* trylock_spin.c: the try-lock idiom of CPython's ENTER_BUFFERED (Modules/_io/bufferedio.c) and
 * _hashlib: PyThread_acquire_lock(lock, NOWAIT_LOCK) only tries the lock and never waits, so
 * the loop that uses it to count free slots is not I/O and does not block with the GIL held.
 * The second loop waits for the same lock with WAIT_LOCK while holding the GIL: that one blocks
 * every Python thread until the owner lets go, and is flagged. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

static PyObject *
trylock_count_free(PyObject *module, PyObject *args)
{
    PyObject *list;
    Py_ssize_t i, n, free_slots = 0;

    if (!PyArg_ParseTuple(args, "O!:count_free", &PyList_Type, &list))
        return NULL;
    n = PyList_GET_SIZE(list);
    /* expect: loop classification=cpu gil=held recommendation=multiprocessing python_api=true */
    for (i = 0; i < n; i++) {
        PyObject *cap = PyList_GET_ITEM(list, i);
        PyThread_type_lock lock = PyCapsule_GetPointer(cap, "lock");
        if (lock == NULL)
            return NULL;
        if (PyThread_acquire_lock(lock, NOWAIT_LOCK)) {
            free_slots++;
            PyThread_release_lock(lock);
        }
    }
    return PyLong_FromSsize_t(free_slots);
}

static PyObject *
trylock_wait_all(PyObject *module, PyObject *args)
{
    PyObject *list;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "O!:wait_all", &PyList_Type, &list))
        return NULL;
    n = PyList_GET_SIZE(list);
    /* expect: loop classification=io gil=held recommendation=release-gil python_api=true */
    for (i = 0; i < n; i++) {
        PyThread_type_lock lock = PyCapsule_GetPointer(PyList_GET_ITEM(list, i), "lock");
        if (lock == NULL)
            return NULL;
        /* expect-diag: gil-blocking-io-held */
        PyThread_acquire_lock(lock, WAIT_LOCK);
        PyThread_release_lock(lock);
    }
    Py_RETURN_NONE;
}

static PyMethodDef trylock_methods[] = {
    {"count_free", trylock_count_free, METH_VARARGS, "count the locks that are free"},
    {"wait_all", trylock_wait_all, METH_VARARGS, "wait for every lock in turn"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef trylock_module = {PyModuleDef_HEAD_INIT, "trylock_spin", NULL, -1, trylock_methods};

PyMODINIT_FUNC
PyInit_trylock_spin(void)
{
    return PyModule_Create(&trylock_module);
}
