/* api_in_released_region.c: first_over(data, limit) scans a buffer of int32 values for the
 * first prefix sum above a limit, with the GIL released for the scan.  The bug: when it
 * finds one it builds the result with PyLong_FromLong while still inside
 * Py_BEGIN_ALLOW_THREADS, i.e. it allocates a Python object without the GIL.  The method
 * starts held (PyMethodDef) and the whole loop runs released: cpu, released, threading,
 * and python_api=true because of that call, which is flagged as gil-api-without-gil.
 * PyBuffer_Release and the fallback PyLong_FromLong run after Py_END_ALLOW_THREADS: fine. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static PyObject *
apireleased_first_over(PyObject *module, PyObject *args)
{
    Py_buffer view;
    long long limit, acc = 0;
    const int32_t *data;
    Py_ssize_t i, n;
    PyObject *result = NULL;

    if (!PyArg_ParseTuple(args, "y*L:first_over", &view, &limit))
        return NULL;
    data = view.buf;
    n = view.len / (Py_ssize_t)sizeof(int32_t);

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=cpu gil=released recommendation=threading python_api=true */
    for (i = 0; i < n; i++) {
        acc += data[i];
        if (acc > limit) {
            /* expect-diag: gil-api-without-gil */
            result = PyLong_FromLong((long)i);
            break;
        }
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    if (result == NULL && !PyErr_Occurred())
        result = PyLong_FromLong(-1);
    return result;
}

static PyMethodDef apireleased_methods[] = {
    {"first_over", apireleased_first_over, METH_VARARGS,
     "first_over(data, limit) -> int: index where the running sum first exceeds limit."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef apireleased_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_apireleased",
    .m_size = -1,
    .m_methods = apireleased_methods,
};

PyMODINIT_FUNC
PyInit__apireleased(void)
{
    return PyModule_Create(&apireleased_module);
}
