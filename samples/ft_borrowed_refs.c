/* ft_borrowed_refs.c: weighted_sum(values, weights) walks a list and looks each key up in a
 * dict, through the borrowed-reference calls PyList_GetItem and PyDict_GetItem, the way many
 * extensions written before free-threaded Python do.  With the GIL that is safe; on a
 * free-threaded build another thread may drop the item while the loop uses it, so each call is
 * an ft-borrowed-ref-in-loop note.  The scratch buffer comes from PyObject_Malloc, the object
 * domain: ft-object-malloc-buffer.  The loop works on Python objects with the GIL held and makes
 * no blocking call: cpu, held, multiprocessing. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
ftrefs_weighted_sum(PyObject *module, PyObject *args)
{
    PyObject *values, *weights;
    Py_ssize_t i, n;
    double total = 0.0;
    double *scratch;

    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &values, &PyDict_Type, &weights))
        return NULL;
    n = PyList_Size(values);
    /* expect-diag: ft-object-malloc-buffer */
    scratch = PyObject_Malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (scratch == NULL)
        return PyErr_NoMemory();
    /* expect: loop classification=cpu gil=held recommendation=multiprocessing python_api=true */
    for (i = 0; i < n; i++) {
        /* expect-diag: ft-borrowed-ref-in-loop */
        PyObject *item = PyList_GetItem(values, i);
        /* expect-diag: ft-borrowed-ref-in-loop */
        PyObject *w = PyDict_GetItem(weights, item);
        double x = PyFloat_AsDouble(item);
        if (x == -1.0 && PyErr_Occurred()) {
            PyObject_Free(scratch);
            return NULL;
        }
        scratch[i] = x * (w != NULL ? PyFloat_AsDouble(w) : 1.0);
        total += scratch[i];
    }
    PyObject_Free(scratch);
    return PyFloat_FromDouble(total);
}

static PyMethodDef ftrefs_methods[] = {
    {"weighted_sum", ftrefs_weighted_sum, METH_VARARGS, "weighted_sum(values, weights) -> float"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef ftrefs_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ftrefs",
    .m_size = -1,
    .m_methods = ftrefs_methods,
};

PyMODINIT_FUNC
PyInit__ftrefs(void)
{
    return PyModule_Create(&ftrefs_module);
}
