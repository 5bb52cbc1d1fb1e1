/* Loops over a page's characters in C, for audit/ingest/pdfium_calls.py.
 *
 * PDFium answers one character per call; from Python each call costs a microsecond of
 * argument conversion, a hundred times what PDFium itself takes. These loops make the same
 * calls, through the function pointers pypdfium2's PDFium exports, so they need no PDFium
 * headers and link against nothing.
 */

typedef int (*char_box_fn)(void *text_page, int index, double *left, double *right,
                           double *bottom, double *top);
typedef void *(*text_object_fn)(void *text_page, int index);

/* (left, right, bottom, top) of each character in indices[0..n), four doubles a row. */
void char_boxes(char_box_fn get_box, void *text_page, const int *indices, int n, double *out)
{
    for (int row = 0; row < n; row++) {
        double *at = out + 4 * row;
        get_box(text_page, indices[row], at, at + 1, at + 2, at + 3);
    }
}

/* The text object of each character in indices[0..n). */
void text_objects(text_object_fn get_object, void *text_page, const int *indices, int n,
                  void **out)
{
    for (int row = 0; row < n; row++)
        out[row] = get_object(text_page, indices[row]);
}
