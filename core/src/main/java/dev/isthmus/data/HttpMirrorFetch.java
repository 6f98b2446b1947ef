package dev.isthmus.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Downloads the needed {@code <file>.gz} files from a {@link DataSource.HttpMirror}. */
record HttpMirrorFetch(VerifiedInstaller installer, Consumer<String> progress) {
    /** Installs what the mirror serves; gives up on the mirror at its first failure unless a file already came. */
    Set<DataFile> fetch(DataSource.HttpMirror source, Set<DataFile> needed, List<String> failures) {
        Set<DataFile> installed = EnumSet.noneOf(DataFile.class);
        try (HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build()) {
            for (DataFile file : needed) {
                var uri = source.base().resolve(file.gzipFileName());
                try {
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build();
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = response.body()) {
                        if (response.statusCode() != 200) {
                            failures.add(uri + ": HTTP " + response.statusCode());
                            if (installed.isEmpty()) break; // the mirror is not serving: skip its other files
                            continue;
                        }
                        installer.install(file, body);
                    }
                    installed.add(file);
                    progress.accept(file.fileName() + ": verified, from " + uri);
                } catch (IOException e) {
                    failures.add(uri + ": " + IoProblems.describe(e));
                    if (installed.isEmpty()) break; // unreachable: do not wait for every file's timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(uri + ": interrupted");
                    break;
                }
            }
        }
        return installed;
    }
}
