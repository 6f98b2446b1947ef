package dev.isthmus.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Takes the needed files from a {@link DataSource.LocalFolder}, raw or {@code .gz}. */
record LocalFolderFetch(VerifiedInstaller installer, Consumer<String> progress) {
    /** Installs what the folder has; each file it lacks or that fails its pin adds a line to {@code failures}. */
    Set<DataFile> fetch(DataSource.LocalFolder source, Set<DataFile> needed, List<String> failures) {
        Set<DataFile> installed = EnumSet.noneOf(DataFile.class);
        for (DataFile file : needed) {
            Path path = file.locate(source.folder());
            if (path == null) {
                failures.add(source.describe() + ": " + file.fileName() + " (or .gz) not found");
                continue;
            }
            if (path.toAbsolutePath().normalize().equals(installer.folder().resolve(file.fileName()).toAbsolutePath().normalize())) {
                failures.add(source.describe() + ": " + file.fileName() + " there is the damaged file itself");
                continue;
            }
            try (InputStream in = Files.newInputStream(path)) {
                installer.install(file, in);
                installed.add(file);
                progress.accept(file.fileName() + ": verified, from " + path);
            } catch (IOException e) {
                failures.add(source.describe() + ": " + path.getFileName() + ": " + e.getMessage());
            }
        }
        return installed;
    }
}
