/* unknown_indirect.c: a Dispatcher object whose run() method hands each stored item to a
 * C handler that a plug-in installs at run time through a function-pointer field.  The
 * method is reached from Python through the type's tp_methods table, so it runs with the
 * GIL held, and nothing releases it.  But the loop's only work is the call through
 * self->handler, and nothing in the program says what that pointer calls: the tool cannot
 * tell io from cpu (unknown) and so cannot recommend anything (unknown).  It stays quiet:
 * no diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject_HEAD
    int (*handler)(void *item);   /* installed by a plug-in; NULL until then */
    void **items;
    Py_ssize_t nitems;
} DispatcherObject;

static PyObject *
dispatcher_run(DispatcherObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i;

    if (self->handler == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no handler installed");
        return NULL;
    }
    /* expect: loop classification=unknown gil=held recommendation=unknown python_api=false */
    for (i = 0; i < self->nitems; i++) {
        if (self->handler(self->items[i]) < 0)
            break;
    }
    return PyLong_FromSsize_t(i);
}

static PyMethodDef dispatcher_methods[] = {
    {"run", (PyCFunction)dispatcher_run, METH_NOARGS, "run() -> int: items handled."},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject DispatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_indirect.Dispatcher",
    .tp_basicsize = sizeof(DispatcherObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_methods = dispatcher_methods,
};

static struct PyModuleDef indirect_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_indirect",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__indirect(void)
{
    PyObject *m;

    if (PyType_Ready(&DispatcherType) < 0)
        return NULL;
    m = PyModule_Create(&indirect_module);
    if (m != NULL && PyModule_AddType(m, &DispatcherType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
