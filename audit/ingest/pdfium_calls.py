"""Per-character calls into PDFium, through cffi instead of pypdfium2's ctypes bindings.

Reading a page's words takes a few calls per character; through ctypes each costs about a
microsecond of argument conversion, through cffi a fifth of that. We open the very library
pypdfium2 loaded (the same process-wide PDFium state), so its document, page and text-page
handles work here unchanged.

The calls made once per character run in a loop in C (`pdfium_bulk.c`, built by `make setup`
where there is a C compiler), a hundredth of their cost from Python; without it they are made
from Python, with the same results.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import cffi
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdfium2_raw.bindings import _libs

_ffi = cffi.FFI()
_ffi.cdef(
    """
    typedef struct { float a, b, c, d, e, f; } FS_MATRIX;
    int FPDFText_GetCharBox(void *text_page, int index,
                            double *left, double *right, double *bottom, double *top);
    double FPDFText_GetFontSize(void *text_page, int index);
    int FPDFText_GetFontWeight(void *text_page, int index);
    float FPDFText_GetCharAngle(void *text_page, int index);
    int FPDFText_GetMatrix(void *text_page, int index, FS_MATRIX *matrix);
    void *FPDFText_GetTextObject(void *text_page, int index);
    int FPDFPage_CountObjects(void *page);
    void *FPDFPage_GetObject(void *page, int index);
    int FPDFPageObj_GetType(void *page_object);
    int FPDFPageObj_GetBounds(void *page_object,
                              float *left, float *bottom, float *right, float *top);
    typedef int (*char_box_fn)(void *, int, double *, double *, double *, double *);
    typedef void *(*text_object_fn)(void *, int);
    void char_boxes(char_box_fn get_box, void *text_page, const int *indices, int n,
                    double *out);
    void text_objects(text_object_fn get_object, void *text_page, const int *indices, int n,
                      void **out);
    """
)
_lib = _ffi.dlopen(_libs["pdfium"]._name)
BULK_PATH = Path(__file__).with_name("pdfium_bulk.so")
_bulk = _ffi.dlopen(str(BULK_PATH)) if BULK_PATH.exists() else None
_FORM_OBJECT = pdfium_c.FPDF_PAGEOBJ_FORM


def _handle(raw) -> object:
    return _ffi.cast("void *", ctypes.cast(raw, ctypes.c_void_p).value)


def char_boxes(textpage: pdfium.PdfTextPage, indices: np.ndarray) -> np.ndarray:
    """(left, right, bottom, top) of each character in `indices`, one row each."""
    handle = _handle(textpage.raw)
    n = len(indices)
    if _bulk is not None:
        boxes = np.empty((n, 4))
        rows = np.ascontiguousarray(indices, dtype=np.intc)
        _bulk.char_boxes(
            _lib.FPDFText_GetCharBox,
            handle,
            _ffi.from_buffer("int[]", rows),
            n,
            _ffi.from_buffer("double[]", boxes),
        )
        return boxes
    buffer = _ffi.new("double[]", 4 * n)
    get_box = _lib.FPDFText_GetCharBox
    for row, index in enumerate(indices.tolist()):
        at = buffer + 4 * row
        get_box(handle, index, at, at + 1, at + 2, at + 3)
    return np.frombuffer(_ffi.buffer(buffer), dtype=np.float64).reshape(n, 4)


def char_styles(
    textpage: pdfium.PdfTextPage, indices: np.ndarray
) -> tuple[list[tuple[float, int, float, float, float]], np.ndarray]:
    """Font size, font weight, rotation angle and the text matrix's c and d of the text objects
    of the characters in `indices`, and for each character the number of its object there.

    PDFium derives all four from the character's text object (its font, size and matrix), so
    they are read once per text object: a line of prose is often a single one.
    """
    handle = _handle(textpage.raw)
    _, first, object_of = np.unique(
        _text_objects(handle, indices), return_index=True, return_inverse=True
    )
    matrix = _ffi.new("FS_MATRIX *")
    styles = []
    for index in indices[first].tolist():
        _lib.FPDFText_GetMatrix(handle, index, matrix)
        styles.append(
            (
                _lib.FPDFText_GetFontSize(handle, index),
                _lib.FPDFText_GetFontWeight(handle, index),
                _lib.FPDFText_GetCharAngle(handle, index),
                matrix.c,
                matrix.d,
            )
        )
    return styles, object_of


def _text_objects(handle: object, indices: np.ndarray) -> np.ndarray:
    """The address of the text object of each character in `indices`."""
    n = len(indices)
    addresses = np.empty(n, dtype=np.uintp)
    if _bulk is None:
        get_object = _lib.FPDFText_GetTextObject
        for row, index in enumerate(indices.tolist()):
            addresses[row] = int(_ffi.cast("uintptr_t", get_object(handle, index)))
        return addresses
    rows = np.ascontiguousarray(indices, dtype=np.intc)
    _bulk.text_objects(
        _lib.FPDFText_GetTextObject,
        handle,
        _ffi.from_buffer("int[]", rows),
        n,
        _ffi.from_buffer("void *[]", addresses),
    )
    return addresses


def form_bounds(page: pdfium.PdfPage) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of each form XObject placed directly on the page."""
    handle = _handle(page.raw)
    box = _ffi.new("float[4]")
    bounds = []
    for index in range(_lib.FPDFPage_CountObjects(handle)):
        obj = _lib.FPDFPage_GetObject(handle, index)
        if _lib.FPDFPageObj_GetType(obj) == _FORM_OBJECT:
            _lib.FPDFPageObj_GetBounds(obj, box, box + 1, box + 2, box + 3)
            bounds.append((box[0], box[1], box[2], box[3]))
    return bounds
