/* ft_static_state.c: a memo of the last result kept in a static PyObject *, as older extensions
 * do.  remember() replaces it on every call, at run time: with the GIL the writes are serialised,
 * on a free-threaded build two threads race on it (ft-static-pyobject-state, reported at the
 * variable).  The empty-tuple cache is filled once, by module init only: not reported.  The
 * scaling loop computes on a C array with the GIL held and calls no Python API: cpu, held,
 * release-gil (and the gil-cpu-loop-holds-gil note). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* expect-diag: ft-static-pyobject-state */
static PyObject *ftstate_last;
static PyObject *ftstate_empty;

static PyObject *
ftstate_remember(PyObject *module, PyObject *arg)
{
    Py_XSETREF(ftstate_last, Py_NewRef(arg));
    Py_RETURN_NONE;
}

static PyObject *
ftstate_scale(PyObject *module, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t i, n;
    double factor, *data;

    if (!PyArg_ParseTuple(args, "w*d", &view, &factor))
        return NULL;
    data = (double *)view.buf;
    n = view.len / (Py_ssize_t)sizeof(double);
    /* expect: loop classification=cpu gil=held recommendation=release-gil python_api=false */
    /* expect-diag: gil-cpu-loop-holds-gil */
    for (i = 0; i < n; i++)
        data[i] = data[i] * factor + 0.5 * data[i] * data[i];
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef ftstate_methods[] = {
    {"remember", ftstate_remember, METH_O, "remember(obj): keep obj as the last value"},
    {"scale", ftstate_scale, METH_VARARGS, "scale(buffer, factor): scale doubles in place"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef ftstate_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ftstate",
    .m_size = -1,
    .m_methods = ftstate_methods,
};

PyMODINIT_FUNC
PyInit__ftstate(void)
{
    ftstate_empty = PyTuple_New(0);
    if (ftstate_empty == NULL)
        return NULL;
    return PyModule_Create(&ftstate_module);
}
