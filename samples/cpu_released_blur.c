/* cpu_released_blur.c: box_blur(src, dst, width, height) applies a 3x3 box blur to the
 * interior of an 8-bit image, the way Pillow's filters run: src is read with "y*", dst is a
 * writable buffer ("w*"), and the pixel loops run between Py_BEGIN_ALLOW_THREADS and
 * Py_END_ALLOW_THREADS.  The method starts with the GIL held (PyMethodDef) and releases it
 * before the outer loop, so both loops run released.  They only do arithmetic on private
 * buffers: cpu, and with the GIL released Python threads already run them in parallel. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
blur_box_blur(PyObject *module, PyObject *args)
{
    Py_buffer src, dst;
    Py_ssize_t width, height, x, y;
    const unsigned char *s;
    unsigned char *d;
    unsigned int sum;

    if (!PyArg_ParseTuple(args, "y*w*nn:box_blur", &src, &dst, &width, &height))
        return NULL;
    if (width < 3 || height < 3 || src.len < width * height || dst.len < width * height) {
        PyBuffer_Release(&src);
        PyBuffer_Release(&dst);
        PyErr_SetString(PyExc_ValueError, "buffers too small for the image size");
        return NULL;
    }
    s = src.buf;
    d = dst.buf;

    Py_BEGIN_ALLOW_THREADS
    /* expect: loop classification=cpu gil=released recommendation=threading python_api=false */
    for (y = 1; y < height - 1; y++) {
        /* expect: loop classification=cpu gil=released recommendation=threading python_api=false */
        for (x = 1; x < width - 1; x++) {
            sum = s[(y - 1) * width + x - 1] + s[(y - 1) * width + x] + s[(y - 1) * width + x + 1]
                + s[y * width + x - 1]       + s[y * width + x]       + s[y * width + x + 1]
                + s[(y + 1) * width + x - 1] + s[(y + 1) * width + x] + s[(y + 1) * width + x + 1];
            d[y * width + x] = (unsigned char)((sum + 4) / 9);
        }
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    Py_RETURN_NONE;
}

static PyMethodDef blur_methods[] = {
    {"box_blur", blur_box_blur, METH_VARARGS,
     "box_blur(src, dst, width, height): 3x3 box blur of the image interior."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef blur_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_blur",
    .m_size = -1,
    .m_methods = blur_methods,
};

PyMODINIT_FUNC
PyInit__blur(void)
{
    return PyModule_Create(&blur_module);
}
