/* suppression_reasons.c: suppressions that are reported as invalid.  flush_log() writes a
 * record to a log descriptor with the GIL held; the write() finding is silenced, but the
 * suppression gives no reason, so it is reported (the silencing still holds).  Its fsync()
 * carries a suppression whose rule id has a typo (gil-blocking-io-hled): an unknown rule
 * silences nothing, so both the invalid suppression and the fsync() finding are reported.
 * The loop around write() is io with the GIL held: release-gil. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

static PyObject *
logsync_flush_log(PyObject *module, PyObject *args)
{
    int fd;
    const char *data;
    Py_ssize_t len, done = 0;
    ssize_t n;

    if (!PyArg_ParseTuple(args, "is#:flush_log", &fd, &data, &len))
        return NULL;
    /* expect: loop classification=io gil=held recommendation=release-gil python_api=true */
    while (done < len) {
        /* expect-diag: concadvise-invalid-suppression */
        // concadvise: ignore[gil-blocking-io-held]
        n = write(fd, data + done, (size_t)(len - done));
        if (n < 0)
            return PyErr_SetFromErrno(PyExc_OSError);
        done += n;
    }
    /* expect-diag: gil-blocking-io-held */
    /* expect-diag: concadvise-invalid-suppression */
    if (fsync(fd) < 0) /* concadvise: ignore[gil-blocking-io-hled] the log lives on tmpfs */
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyMethodDef logsync_methods[] = {
    {"flush_log", logsync_flush_log, METH_VARARGS, "flush_log(fd, data): write data to fd and sync it."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef logsync_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_logsync",
    .m_size = -1,
    .m_methods = logsync_methods,
};

PyMODINIT_FUNC
PyInit__logsync(void)
{
    return PyModule_Create(&logsync_module);
}
