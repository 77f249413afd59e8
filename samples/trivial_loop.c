/* trivial_loop.c: pack(r, g, b[, a]) clamps four channel values into a 4-byte RGBA string.
 * The method runs with the GIL held (PyMethodDef) and its loop is cpu, but the loop has a
 * small constant trip count (4) and a cheap body: not worth any change, so the
 * recommendation is none, and gil-cpu-loop-holds-gil stays quiet because trivial loops
 * are not reported.  No diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
trivial_pack(PyObject *module, PyObject *args)
{
    int c[4] = {0, 0, 0, 255};
    unsigned char out[4];
    int i;

    if (!PyArg_ParseTuple(args, "iii|i:pack", &c[0], &c[1], &c[2], &c[3]))
        return NULL;
    /* expect: loop classification=cpu gil=held recommendation=none python_api=false */
    for (i = 0; i < 4; i++)
        out[i] = (unsigned char)(c[i] < 0 ? 0 : c[i] > 255 ? 255 : c[i]);
    return PyBytes_FromStringAndSize((const char *)out, 4);
}

static PyMethodDef trivial_methods[] = {
    {"pack", trivial_pack, METH_VARARGS, "pack(r, g, b[, a]) -> bytes: RGBA, clamped to 0..255."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef trivial_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_trivial",
    .m_size = -1,
    .m_methods = trivial_methods,
};

PyMODINIT_FUNC
PyInit__trivial(void)
{
    return PyModule_Create(&trivial_module);
}
