/* function_release_wrapper.c: invert(buf) inverts an 8-bit image in place.  Like Pillow's
 * ImagingSectionEnter/ImagingSectionLeave, the project releases the GIL through its own
 * functions: section_enter stores PyEval_SaveThread() in a cookie and section_leave gives
 * it to PyEval_RestoreThread.  The tool must follow the calls into the wrappers to know
 * that the loop between them runs with the GIL released.  The method starts with the GIL
 * held (PyMethodDef); the loop is pure arithmetic on a private buffer: cpu, released,
 * threading.  Balanced: no diagnostics. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static void
section_enter(PyThreadState **cookie)
{
    *cookie = PyEval_SaveThread();
}

static void
section_leave(PyThreadState **cookie)
{
    PyEval_RestoreThread(*cookie);
}

static PyObject *
funcwrap_invert(PyObject *module, PyObject *args)
{
    Py_buffer view;
    PyThreadState *cookie;
    unsigned char *p;
    Py_ssize_t i;

    if (!PyArg_ParseTuple(args, "w*:invert", &view))
        return NULL;
    p = view.buf;

    section_enter(&cookie);
    /* expect: loop classification=cpu gil=released recommendation=threading python_api=false */
    for (i = 0; i < view.len; i++)
        p[i] = (unsigned char)(255 - p[i]);
    section_leave(&cookie);

    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef funcwrap_methods[] = {
    {"invert", funcwrap_invert, METH_VARARGS, "invert(buffer): invert 8-bit pixels in place."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef funcwrap_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_funcwrap",
    .m_size = -1,
    .m_methods = funcwrap_methods,
};

PyMODINIT_FUNC
PyInit__funcwrap(void)
{
    return PyModule_Create(&funcwrap_module);
}
