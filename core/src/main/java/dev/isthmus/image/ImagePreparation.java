package dev.isthmus.image;

import java.util.Locale;

/**
 * How an image of any size becomes a model's grey input of {@code rows x columns} levels in
 * 0..255 (normalisation comes after, with the training statistics).
 *
 * @param style    {@link Style#MNIST_DIGIT} centres the drawing as MNIST did; {@link Style#RESIZE} only resizes
 * @param polarity whether to invert (dark ink on light paper becomes light on dark)
 * @param rows     the model's input height
 * @param columns  the model's input width
 */
public record ImagePreparation(Style style, Polarity polarity, int rows, int columns) {

    /** What is done besides grey conversion and polarity. */
    public enum Style {
        /**
         * MNIST's own preparation: the drawing's bounding box is scaled, keeping its aspect ratio,
         * to fit a box of 20/28 of the input size, then moved so its centre of mass is at the centre.
         * An image that already has the input size is taken as prepared (as MNIST's own images are)
         * and only has its polarity applied, so MNIST's digits pass through unchanged.
         */
        MNIST_DIGIT("mnist-digit"),
        /** The whole image resized to the input size (area averaging), as an image folder's images are. */
        RESIZE("resize");

        private final String id;

        Style(String id) {
            this.id = id;
        }

        /**
         * The name stored in checkpoints' metadata.
         *
         * @return {@code mnist-digit} or {@code resize}
         */
        public String id() {
            return id;
        }

        /**
         * The style named {@code id}.
         *
         * @param id {@code mnist-digit} or {@code resize}
         * @return the style
         * @throws IllegalArgumentException for an unknown name
         */
        public static Style byId(String id) {
            for (Style style : values()) {
                if (style.id.equals(id)) return style;
            }
            throw new IllegalArgumentException("unknown image preparation '" + id + "'; expected mnist-digit or resize");
        }
    }

    /** Whether the grey levels are inverted before anything else. */
    public enum Polarity {
        /** Inverted when the image's border is mostly light (dark ink on light paper). */
        AUTO,
        /** Always inverted. */
        INVERT,
        /** Never inverted. */
        KEEP;

        /**
         * Parses a polarity, case-insensitively.
         *
         * @param text {@code auto}, {@code invert} or {@code keep}
         * @return the polarity
         */
        public static Polarity parse(String text) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown polarity '" + text + "'; expected auto, invert or keep", e);
            }
        }
    }

    /** Fraction of the input size the digit's box is scaled to: MNIST's 20 pixels of 28. */
    private static final double MNIST_BOX = 20.0 / 28.0;
    /** Pixels fainter than this (of 255, after background removal) do not count as the drawing's extent. */
    private static final float INK_THRESHOLD = 32f;

    /** Checks the input size. */
    public ImagePreparation {
        if (rows <= 0 || columns <= 0) throw new IllegalArgumentException("input size must be positive, got " + rows + "x" + columns);
    }

    /**
     * The same preparation with another polarity (for {@code --invert}).
     *
     * @param newPolarity the polarity wanted
     * @return a new preparation
     */
    public ImagePreparation withPolarity(Polarity newPolarity) {
        return new ImagePreparation(style, newPolarity, rows, columns);
    }

    /**
     * Prepares one image.
     *
     * @param image the grey image, any size
     * @return a new {@code rows x columns} grey image, levels 0..255
     */
    public GrayImage apply(GrayImage image) {
        boolean invert = switch (polarity) {
            case INVERT -> true;
            case KEEP -> false;
            case AUTO -> image.borderMean() > 127.5f;
        };
        GrayImage oriented = invert ? image.inverted() : image;
        if (oriented.rows() == rows && oriented.columns() == columns) return oriented;
        return style == Style.RESIZE ? oriented.resized(rows, columns) : centreDigit(oriented);
    }

    /** MNIST's procedure on an image of another size: background removed, box fitted, centre of mass centred. */
    private GrayImage centreDigit(GrayImage image) {
        GrayImage ink = withoutBackground(image);
        int top = Integer.MAX_VALUE, left = Integer.MAX_VALUE, bottom = -1, right = -1;
        for (int y = 0; y < ink.rows(); y++) {
            for (int x = 0; x < ink.columns(); x++) {
                if (ink.at(y, x) > INK_THRESHOLD) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        if (bottom < 0) return new GrayImage(rows, columns, new float[rows * columns]); // a blank page
        GrayImage box = crop(ink, top, left, bottom - top + 1, right - left + 1);
        double scale = Math.min(rows * MNIST_BOX / box.rows(), columns * MNIST_BOX / box.columns());
        GrayImage fitted = box.resized(Math.max(1, (int) Math.round(box.rows() * scale)), Math.max(1, (int) Math.round(box.columns() * scale)));
        // Centre of mass of the fitted drawing, then the shift that puts it at the centre of the input.
        double mass = 0, massY = 0, massX = 0;
        for (int y = 0; y < fitted.rows(); y++) {
            for (int x = 0; x < fitted.columns(); x++) {
                mass += fitted.at(y, x);
                massY += y * fitted.at(y, x);
                massX += x * fitted.at(y, x);
            }
        }
        int offsetY = (int) Math.round(rows / 2.0 - (massY / mass + 0.5));
        int offsetX = (int) Math.round(columns / 2.0 - (massX / mass + 0.5));
        float[] out = new float[rows * columns];
        for (int y = 0; y < fitted.rows(); y++) {
            for (int x = 0; x < fitted.columns(); x++) {
                int ty = y + offsetY;
                int tx = x + offsetX;
                if (ty >= 0 && ty < rows && tx >= 0 && tx < columns) out[ty * columns + tx] = fitted.at(y, x);
            }
        }
        return new GrayImage(rows, columns, out);
    }

    /** Levels above the border's (the paper's) stretched to 0..255; a photo's grey paper becomes black. */
    private static GrayImage withoutBackground(GrayImage image) {
        float background = image.borderMean();
        float max = background;
        for (float v : image.pixels()) max = Math.max(max, v);
        float range = Math.max(max - background, 1f);
        float[] out = new float[image.pixels().length];
        for (int i = 0; i < out.length; i++) out[i] = Math.max(0f, image.pixels()[i] - background) * 255f / range;
        return new GrayImage(image.rows(), image.columns(), out);
    }

    private static GrayImage crop(GrayImage image, int top, int left, int height, int width) {
        float[] out = new float[height * width];
        for (int y = 0; y < height; y++) {
            System.arraycopy(image.pixels(), (top + y) * image.columns() + left, out, y * width, width);
        }
        return new GrayImage(height, width, out);
    }
}
