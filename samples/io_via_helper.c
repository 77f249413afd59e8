/* io_via_helper.c: total(path, key) adds up the values of the fixed-size records with a
 * given key in a binary file.  The file is opened and closed with the GIL released, but the
 * loop that reads the records runs with the GIL held (PyMethodDef entry, nothing releases
 * it) and does its blocking fread() through the static helper read_record.  The effect of
 * the helper counts for the loop: io with the GIL held, so release-gil; the blocking call
 * is flagged inside the helper, where the fread is, not at the loop. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdio.h>

struct iohelper_record {
    uint32_t key;
    uint32_t flags;
    double value;
};

static int
read_record(FILE *fp, struct iohelper_record *rec)
{
    /* expect-diag: gil-blocking-io-held */
    return fread(rec, sizeof *rec, 1, fp) == 1 ? 0 : -1;
}

static PyObject *
iohelper_total(PyObject *module, PyObject *args)
{
    const char *path;
    unsigned int key;
    FILE *fp;
    struct iohelper_record rec;
    double total = 0.0;

    if (!PyArg_ParseTuple(args, "sI:total", &path, &key))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    fp = fopen(path, "rb");
    Py_END_ALLOW_THREADS
    if (fp == NULL)
        return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);

    /* expect: loop classification=io gil=held recommendation=release-gil python_api=false */
    while (read_record(fp, &rec) == 0) {
        if (rec.key == key)
            total += rec.value;
    }

    Py_BEGIN_ALLOW_THREADS
    fclose(fp);
    Py_END_ALLOW_THREADS
    return PyFloat_FromDouble(total);
}

static PyMethodDef iohelper_methods[] = {
    {"total", iohelper_total, METH_VARARGS,
     "total(path, key) -> float: sum of the values of the records with this key."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef iohelper_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_iohelper",
    .m_size = -1,
    .m_methods = iohelper_methods,
};

PyMODINIT_FUNC
PyInit__iohelper(void)
{
    return PyModule_Create(&iohelper_module);
}
