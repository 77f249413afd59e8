/* slot_held_hash.c (extra): a heap type (PyType_Spec) whose hash slot runs FNV-1a over
 * the object's C byte array.  Type slots are called by Python with the GIL held, so the
 * Py_tp_hash entry in the PyType_Slot table makes fingerprint_hash reachable with the GIL
 * held, although no PyMethodDef names it.  The loop is plain arithmetic over C memory with
 * no Python API calls and a data-sized bound: cpu, held, release-gil, and
 * gil-cpu-loop-holds-gil at the loop. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    PyObject_HEAD
    unsigned char *data;   /* owned, filled by the C code that creates the object */
    Py_ssize_t size;
} FingerprintObject;

static Py_hash_t
fingerprint_hash(FingerprintObject *self)
{
    uint64_t h = 14695981039346656037ULL;
    Py_ssize_t i;

    /* expect-diag: gil-cpu-loop-holds-gil */
    /* expect: loop classification=cpu gil=held recommendation=release-gil python_api=false */
    for (i = 0; i < self->size; i++) {
        h ^= self->data[i];
        h *= 1099511628211ULL;
    }
    h &= (uint64_t)PY_SSIZE_T_MAX;
    return h == (uint64_t)-1 ? -2 : (Py_hash_t)h;
}

static PyType_Slot fingerprint_slots[] = {
    {Py_tp_hash, fingerprint_hash},
    {0, NULL}
};

static PyType_Spec fingerprint_spec = {
    .name = "_slothash.Fingerprint",
    .basicsize = sizeof(FingerprintObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = fingerprint_slots,
};

static struct PyModuleDef slothash_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_slothash",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__slothash(void)
{
    PyObject *m, *type;

    m = PyModule_Create(&slothash_module);
    if (m == NULL)
        return NULL;
    type = PyType_FromSpec(&fingerprint_spec);
    if (type == NULL || PyModule_AddObject(m, "Fingerprint", type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
