package dev.isthmus.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePreparationTest {
    private static final ImagePreparation MNIST = new ImagePreparation(ImagePreparation.Style.MNIST_DIGIT, ImagePreparation.Polarity.AUTO, 28, 28);

    @TempDir
    Path temp;

    /** A digit-like 28x28 picture: dark border, a bright random stroke area in the middle. */
    private static byte[] digitLike(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[28 * 28];
        for (int y = 6; y < 22; y++) {
            for (int x = 8; x < 20; x++) pixels[y * 28 + x] = (byte) random.nextInt(256);
        }
        return pixels;
    }

    private static float[] levels(byte[] pixels) {
        float[] levels = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) levels[i] = pixels[i] & 0xFF;
        return levels;
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "gif", "pgm"})
    void losslessFilesOfTheInputSizeComeThroughUnchanged(String format) {
        byte[] pixels = digitLike(7);
        Path file = ImageTrees.write(ImageTrees.gray(28, 28, pixels, 0), format, temp.resolve("digit." + format));
        GrayImage read = GrayImage.of(ImageFiles.read(file));
        assertArrayEquals(levels(pixels), read.pixels(), format);
        assertArrayEquals(levels(pixels), MNIST.apply(read).pixels(), format + ": MNIST preparation of a 28x28 digit is the identity");
    }

    @Test
    void greyWithAlphaKeepsItsLevelsAndComposesOverWhite() throws java.io.IOException {
        var space = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
        var model = new java.awt.image.ComponentColorModel(space, true, false, java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE);
        BufferedImage image = new BufferedImage(model, model.createCompatibleWritableRaster(2, 1), false, null);
        image.getRaster().setPixel(0, 0, new int[]{77, 255});
        image.getRaster().setPixel(1, 0, new int[]{0, 0});
        Path file = temp.resolve("alpha.png");
        assertTrue(javax.imageio.ImageIO.write(image, "png", file.toFile()));
        assertArrayEquals(new float[]{77f, 255f}, GrayImage.of(ImageFiles.read(file)).pixels());
    }

    @Test
    void jpegIsReadToo() {
        byte[] pixels = digitLike(11);
        Path file = ImageTrees.write(ImageTrees.gray(28, 28, pixels, 0), "jpg", temp.resolve("digit.jpg"));
        float[] read = GrayImage.of(ImageFiles.read(file)).pixels();
        double error = 0;
        for (int i = 0; i < read.length; i++) error += Math.abs(read[i] - (pixels[i] & 0xFF)) / read.length;
        assertTrue(error < 20, "JPEG is lossy, but close: mean error " + error);
    }

    @Test
    void colourImagesTakeTheLuminanceAndGreyRgbStaysExact() {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x7B7B7B);
        rgb.setRGB(1, 0, 0xFF0000);
        float[] levels = GrayImage.of(rgb).pixels();
        assertEquals(0x7B, levels[0]);
        assertEquals(0.299f * 255, levels[1], 1e-3);
    }

    @Test
    void darkInkOnLightPaperIsInvertedWhenDetectedOrAsked() {
        byte[] pixels = digitLike(3);
        float[] light = new float[pixels.length];
        for (int i = 0; i < light.length; i++) light[i] = 255 - (pixels[i] & 0xFF);
        GrayImage paper = new GrayImage(28, 28, light);
        assertArrayEquals(levels(pixels), MNIST.apply(paper).pixels(), "auto: a light border means dark ink");
        assertArrayEquals(light, MNIST.withPolarity(ImagePreparation.Polarity.KEEP).apply(paper).pixels());
        GrayImage dark = new GrayImage(28, 28, levels(pixels));
        assertArrayEquals(light, MNIST.withPolarity(ImagePreparation.Polarity.INVERT).apply(dark).pixels());
    }

    @Test
    void aLargeDrawingIsFittedInTwentyPixelsAndCentredByMass() {
        // A black bar 150 high and 60 wide, off-centre on a 300x400 white page.
        int rows = 300, columns = 400;
        float[] page = new float[rows * columns];
        java.util.Arrays.fill(page, 255f);
        for (int y = 20; y < 170; y++) {
            for (int x = 300; x < 360; x++) page[y * columns + x] = 0f;
        }
        GrayImage prepared = MNIST.apply(new GrayImage(rows, columns, page));
        assertEquals(28, prepared.rows());
        int top = 28, bottom = -1, left = 28, right = -1;
        double mass = 0, my = 0, mx = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                float v = prepared.at(y, x);
                if (v > 0) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
                mass += v;
                my += (y + 0.5) * v;
                mx += (x + 0.5) * v;
            }
        }
        assertEquals(20, bottom - top + 1, "the long side fills MNIST's 20-pixel box");
        assertEquals(8, right - left + 1, "aspect ratio kept: 60/150 of 20");
        assertEquals(14, my / mass, 0.5, "centre of mass at the centre");
        assertEquals(14, mx / mass, 0.5);
        assertEquals(255f, prepared.at(14, 14), 1e-3, "ink is white after inversion");
        assertEquals(0f, prepared.at(0, 0), "paper is black");
    }

    @Test
    void resizingByAreaKeepsTheMeanAndConstantImages() {
        SplittableRandom random = new SplittableRandom(1);
        float[] pixels = new float[37 * 53];
        double sum = 0;
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(256);
            sum += pixels[i];
        }
        GrayImage small = new GrayImage(37, 53, pixels).resized(28, 28);
        double mean = 0;
        for (float v : small.pixels()) mean += v / small.pixels().length;
        assertEquals(sum / pixels.length, mean, 0.01);
        float[] flat = new float[5 * 7];
        java.util.Arrays.fill(flat, 99f);
        for (float v : new GrayImage(5, 7, flat).resized(28, 28).pixels()) assertEquals(99f, v, 1e-3);
        GrayImage same = new GrayImage(5, 7, flat);
        assertSame(same, same.resized(5, 7));
    }

    @Test
    void resizeStyleStretchesTheWholeImage() {
        ImagePreparation resize = new ImagePreparation(ImagePreparation.Style.RESIZE, ImagePreparation.Polarity.KEEP, 28, 28);
        float[] half = new float[56 * 56];
        for (int y = 0; y < 56; y++) {
            for (int x = 28; x < 56; x++) half[y * 56 + x] = 200f; // right half bright
        }
        GrayImage out = resize.apply(new GrayImage(56, 56, half));
        assertEquals(0f, out.at(10, 13));
        assertEquals(200f, out.at(10, 14));
        assertTrue(ImageFiles.hasImageExtension(Path.of("a/B.JPEG")));
    }
}
