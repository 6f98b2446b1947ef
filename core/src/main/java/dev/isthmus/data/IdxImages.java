package dev.isthmus.data;

/**
 * The contents of an IDX image file: {@code count} images of {@code rows × columns} unsigned bytes, row-major.
 *
 * @param count   the number of images
 * @param rows    rows per image
 * @param columns columns per image
 * @param pixels  the bytes, image after image
 */
public record IdxImages(int count, int rows, int columns, byte[] pixels) {
    /** Checks that the pixels fill {@code count} images. */
    public IdxImages {
        if ((long) count * rows * columns != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + "x" + columns + " do not fill " + pixels.length + " bytes");
        }
    }

    /**
     * Pixels in one image.
     *
     * @return rows × columns
     */
    public int pixelsPerImage() {
        return rows * columns;
    }
}
