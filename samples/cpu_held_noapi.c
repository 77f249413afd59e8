/* cpu_held_noapi.c: row_energy(data, width) computes the sum of absolute differences
 * between neighbouring rows of an 8-bit image passed as a buffer ("y*").  The method is in
 * a PyMethodDef table, so the GIL is held, and nothing releases it.  Both loops only do
 * arithmetic on the C buffer, with no Python API calls: cpu with the GIL held, so the fix
 * is to release the GIL around them (release-gil).  gil-cpu-loop-holds-gil is reported
 * once, at the outermost loop, not again at the inner one. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
heldnoapi_row_energy(PyObject *module, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t width, height, x, y;
    const unsigned char *row, *next;
    unsigned long long energy = 0;
    int d;

    if (!PyArg_ParseTuple(args, "y*n:row_energy", &view, &width))
        return NULL;
    if (width <= 0 || view.len % width != 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "buffer size is not a multiple of width");
        return NULL;
    }
    height = view.len / width;

    /* expect-diag: gil-cpu-loop-holds-gil */
    /* expect: loop classification=cpu gil=held recommendation=release-gil python_api=false */
    for (y = 0; y + 1 < height; y++) {
        row = (const unsigned char *)view.buf + y * width;
        next = row + width;
        /* expect: loop classification=cpu gil=held recommendation=release-gil python_api=false */
        for (x = 0; x < width; x++) {
            d = (int)next[x] - (int)row[x];
            energy += (unsigned long long)(d < 0 ? -d : d);
        }
    }

    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLongLong(energy);
}

static PyMethodDef heldnoapi_methods[] = {
    {"row_energy", heldnoapi_row_energy, METH_VARARGS,
     "row_energy(data, width) -> int: sum of |row[y+1] - row[y]|."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef heldnoapi_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_heldnoapi",
    .m_size = -1,
    .m_methods = heldnoapi_methods,
};

PyMODINIT_FUNC
PyInit__heldnoapi(void)
{
    return PyModule_Create(&heldnoapi_module);
}
