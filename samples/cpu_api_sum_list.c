/* cpu_api_sum_list.c: fsum(list) adds up a list of floats through the C-API, like the
 * list fast paths in Modules/mathmodule.c.  The method is in a PyMethodDef table, so the
 * GIL is held throughout, and it must be: every iteration calls PyList_GetItem and
 * PyFloat_AsDouble (which may even run __float__).  The loop computes and blocks on
 * nothing: cpu.  Because the body needs the GIL it cannot be released, so only separate
 * processes run such loops in parallel: multiprocessing.  Not gil-cpu-loop-holds-gil,
 * which is only for loops that make no Python API calls.  PyList_GetItem returns a borrowed
 * reference: on a free-threaded build that is an ft-borrowed-ref-in-loop note. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
sumlist_fsum(PyObject *module, PyObject *list)
{
    Py_ssize_t i;
    double total = 0.0, value;

    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "fsum() expects a list");
        return NULL;
    }
    /* The size is re-read every time: __float__ may mutate the list. */
    /* expect: loop classification=cpu gil=held recommendation=multiprocessing python_api=true */
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        /* expect-diag: ft-borrowed-ref-in-loop */
        value = PyFloat_AsDouble(PyList_GetItem(list, i));
        if (value == -1.0 && PyErr_Occurred())
            return NULL;
        total += value * value;
    }
    return PyFloat_FromDouble(total);
}

static PyMethodDef sumlist_methods[] = {
    {"fsum", sumlist_fsum, METH_O, "fsum(list) -> float: sum of squares."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef sumlist_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_sumlist",
    .m_size = -1,
    .m_methods = sumlist_methods,
};

PyMODINIT_FUNC
PyInit__sumlist(void)
{
    return PyModule_Create(&sumlist_module);
}
