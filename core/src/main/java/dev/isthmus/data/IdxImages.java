package dev.isthmus.data;

/** The contents of an IDX image file: {@code count} images of {@code rows × columns} unsigned bytes, row-major. */
public record IdxImages(int count, int rows, int columns, byte[] pixels) {
    public IdxImages {
        if ((long) count * rows * columns != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + "x" + columns + " do not fill " + pixels.length + " bytes");
        }
    }

    public int pixelsPerImage() {
        return rows * columns;
    }
}
