/* fork_close_fds.c: spawn_closed(fds) forks the way os.fork does, with the GIL held on purpose
 * (PyOS_BeforeFork / PyOS_AfterFork_*: releasing it around fork() would be the bug, and fork()
 * waits for nothing), and closes a pipe's descriptors on its error path, where close() never
 * waits: neither is reported.  The child (where fork() returned 0) closes the descriptors above
 * 2 in a loop, as _posixsubprocess does: the child has one thread, so that loop gets no advice
 * (none) and its close() no warning.  close_all(fds) closes a list of descriptors in a loop with
 * the GIL held in the parent: one close() is harmless, but a loop of them on a network file
 * system adds up, so that loop is io with the GIL held and its close() is reported (io catalog:
 * close "rarely"). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>

static void
child_close_from(int lowfd, int maxfd)
{
    int fd;
    /* expect: loop classification=io gil=held recommendation=none python_api=false */
    for (fd = lowfd; fd < maxfd; fd++)
        close(fd);
}

static PyObject *
forkclose_spawn_closed(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (PySys_Audit("forkclose.spawn", NULL) < 0) {
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    PyOS_BeforeFork();
    pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        child_close_from(3, 1024);
        _exit(0);
    }
    PyOS_AfterFork_Parent();
    close(fds[1]);
    return Py_BuildValue("(ii)", (int)pid, fds[0]);
}

static PyObject *
forkclose_close_all(PyObject *module, PyObject *args)
{
    Py_buffer fds;
    const int *fd;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "y*:close_all", &fds))
        return NULL;
    fd = fds.buf;
    n = fds.len / (Py_ssize_t)sizeof(int);
    /* expect: loop classification=io gil=held recommendation=release-gil python_api=false */
    for (i = 0; i < n; i++) {
        /* expect-diag: gil-blocking-io-held */
        close(fd[i]);
    }
    PyBuffer_Release(&fds);
    Py_RETURN_NONE;
}

static PyMethodDef forkclose_methods[] = {
    {"spawn_closed", forkclose_spawn_closed, METH_NOARGS,
     "spawn_closed() -> (pid, read_fd): fork a child that exits at once."},
    {"close_all", forkclose_close_all, METH_VARARGS,
     "close_all(fds: bytes of C ints): close every descriptor."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef forkclose_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_forkclose",
    .m_size = -1,
    .m_methods = forkclose_methods,
};

PyMODINIT_FUNC
PyInit__forkclose(void)
{
    return PyModule_Create(&forkclose_module);
}
