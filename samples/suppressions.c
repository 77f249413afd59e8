/* suppressions.c: inline suppressions.  drain(fd) empties a pipe that pipe_open() made
 * non-blocking, so its read() returns EAGAIN at once instead of waiting: the loop still holds
 * the GIL around a call from the io catalog (io / held / release-gil, since the tool cannot see
 * O_NONBLOCK), but the gil-blocking-io-held finding at read() is silenced by a suppression with
 * its reason.  backoff_delay() carries a stale suppression from when it slept with usleep(); it
 * no longer blocks, so that suppression silences nothing and is reported as unused. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static PyObject *
pipeio_drain(PyObject *module, PyObject *arg)
{
    char buf[4096];
    Py_ssize_t total = 0;
    ssize_t n;
    int fd = PyObject_AsFileDescriptor(arg);

    if (fd < 0)
        return NULL;
    /* expect: loop classification=io gil=held recommendation=release-gil python_api=false */
    for (;;) {
        // concadvise: ignore[gil-blocking-io-held] fd is O_NONBLOCK (pipe_open): read() never waits
        n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        total += n;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromSsize_t(total);
}

static PyObject *
pipeio_open(PyObject *module, PyObject *noargs)
{
    int fds[2];

    if (pipe(fds) < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return Py_BuildValue("(ii)", fds[0], fds[1]);
}

static PyObject *
pipeio_backoff_delay(PyObject *module, PyObject *arg)
{
    long attempt = PyLong_AsLong(arg);
    long delay_us;

    if (attempt == -1 && PyErr_Occurred())
        return NULL;
    /* expect-diag: concadvise-unused-suppression */
    /* concadvise: ignore[gil-blocking-io-held] the retry sleeps are short (at most 50 ms) */
    delay_us = attempt < 10 ? 100L << attempt : 50000L;
    return PyLong_FromLong(delay_us);
}

static PyMethodDef pipeio_methods[] = {
    {"drain", pipeio_drain, METH_O, "drain(fd) -> int: read what the pipe holds, without waiting."},
    {"pipe_open", pipeio_open, METH_NOARGS, "pipe_open() -> (r, w): a pipe whose read end never blocks."},
    {"backoff_delay", pipeio_backoff_delay, METH_O, "backoff_delay(attempt) -> int: microseconds to wait."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef pipeio_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_pipeio",
    .m_size = -1,
    .m_methods = pipeio_methods,
};

PyMODINIT_FUNC
PyInit__pipeio(void)
{
    return PyModule_Create(&pipeio_module);
}
