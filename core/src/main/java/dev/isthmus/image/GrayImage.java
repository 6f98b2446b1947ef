package dev.isthmus.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * A grey image as floats in 0..255, row-major: the common form every image is turned into
 * before it is resized and normalised.
 *
 * @param rows    height in pixels
 * @param columns width in pixels
 * @param pixels  {@code rows * columns} grey levels, 0 (black) to 255 (white)
 */
public record GrayImage(int rows, int columns, float[] pixels) {

    /** Checks that {@code pixels} holds exactly {@code rows * columns} values. */
    public GrayImage {
        if (rows <= 0 || columns <= 0 || (long) rows * columns != pixels.length) {
            throw new IllegalArgumentException("a grey image of " + rows + "x" + columns + " needs " + (long) rows * columns
                    + " pixels, got " + pixels.length);
        }
    }

    /**
     * The grey levels of {@code image}. Grey images keep their stored levels exactly (8-bit ones
     * unchanged, 16-bit ones scaled to 0..255); colour images take the luminance
     * {@code 0.299 R + 0.587 G + 0.114 B} of PIL's {@code convert("L")} and torchvision's
     * {@code Grayscale}, and translucent pixels are composed over white.
     *
     * @param image any decoded image
     * @return a new grey image of the same size
     */
    public static GrayImage of(BufferedImage image) {
        int rows = image.getHeight();
        int columns = image.getWidth();
        float[] pixels = new float[rows * columns];
        Raster raster = image.getRaster();
        // getRGB would pass grey levels through a colour-space conversion (a gamma curve for
        // TYPE_BYTE_GRAY) and change them; MNIST's own levels must come through unchanged.
        if (image.getColorModel() instanceof ComponentColorModel model && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            float levelScale = 255f / ((1 << model.getComponentSize(0)) - 1);
            boolean alpha = model.hasAlpha();
            float alphaScale = alpha ? 1f / ((1 << model.getComponentSize(1)) - 1) : 1f;
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < columns; x++) {
                    float level = model.getComponentSize(0) == 8 ? raster.getSample(x, y, 0) : Math.round(raster.getSample(x, y, 0) * levelScale);
                    float opacity = alpha ? raster.getSample(x, y, 1) * alphaScale : 1f;
                    pixels[y * columns + x] = opacity == 1f ? level : level * opacity + 255f * (1 - opacity);
                }
            }
            return new GrayImage(rows, columns, pixels);
        }
        int[] argb = image.getRGB(0, 0, columns, rows, null, 0, columns);
        for (int i = 0; i < argb.length; i++) {
            int alpha = argb[i] >>> 24;
            int r = (argb[i] >> 16) & 0xFF;
            int g = (argb[i] >> 8) & 0xFF;
            int b = argb[i] & 0xFF;
            float luminance = r == g && g == b ? r : 0.299f * r + 0.587f * g + 0.114f * b;
            pixels[i] = alpha == 255 ? luminance : (luminance * alpha + 255f * (255 - alpha)) / 255f;
        }
        return new GrayImage(rows, columns, pixels);
    }

    /**
     * One pixel.
     *
     * @param y the row
     * @param x the column
     * @return the level at row {@code y}, column {@code x}
     */
    public float at(int y, int x) {
        return pixels[y * columns + x];
    }

    /**
     * The background level of a centred drawing.
     *
     * @return the mean of the pixels on the image's outer edge
     */
    public float borderMean() {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                if (y == 0 || x == 0 || y == rows - 1 || x == columns - 1) {
                    sum += at(y, x);
                    count++;
                }
            }
        }
        return (float) (sum / count);
    }

    /**
     * The negative: dark ink on light paper becomes light ink on dark, as in MNIST.
     *
     * @return a new image of {@code 255 - level}
     */
    public GrayImage inverted() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = 255f - pixels[i];
        return new GrayImage(rows, columns, out);
    }

    /**
     * Resized to {@code newRows x newColumns} by area averaging: each output pixel is the mean of
     * the input area it covers (fractional pixels weighted by overlap), which neither aliases when
     * shrinking nor blurs beyond pixel replication when enlarging.
     *
     * @param newRows    the height wanted
     * @param newColumns the width wanted
     * @return a new image; this one if the size is already right
     */
    public GrayImage resized(int newRows, int newColumns) {
        if (newRows == rows && newColumns == columns) return this;
        float[] horizontal = new float[rows * newColumns];
        for (int y = 0; y < rows; y++) {
            resampleLine(pixels, y * columns, 1, columns, horizontal, y * newColumns, 1, newColumns);
        }
        float[] out = new float[newRows * newColumns];
        for (int x = 0; x < newColumns; x++) {
            resampleLine(horizontal, x, newColumns, rows, out, x, newColumns, newRows);
        }
        return new GrayImage(newRows, newColumns, out);
    }

    /** One line of {@code n} values (every {@code stride}-th from {@code offset}) averaged onto {@code m} values. */
    private static void resampleLine(float[] in, int inOffset, int inStride, int n,
                                     float[] out, int outOffset, int outStride, int m) {
        double step = (double) n / m;
        for (int j = 0; j < m; j++) {
            double start = j * step;
            double end = start + step;
            double sum = 0;
            for (int i = (int) start; i < n && i < end; i++) {
                double overlap = Math.min(end, i + 1) - Math.max(start, i);
                if (overlap > 0) sum += overlap * in[inOffset + i * inStride];
            }
            out[outOffset + j * outStride] = (float) (sum / step);
        }
    }
}
