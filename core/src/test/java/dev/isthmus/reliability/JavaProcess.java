package dev.isthmus.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a class's {@code main} in a child JVM on this test run's class path, with the current JDK:
 * for what cannot happen in the test's own JVM (signals, a CUDA stand-in that must not meet another
 * libcudart, {@code System.exit}). Output goes to files, so a chatty child can never block on a full pipe.
 */
public final class JavaProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JavaProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param logs         folder receiving stdout.txt and stderr.txt
     * @param systemProperties {@code -D} settings for the child
     * @param environment  variables added to the child's environment
     */
    public static JavaProcess start(Path logs, String mainClass, List<String> arguments, Map<String, String> systemProperties,
                                    Map<String, String> environment) {
        return start(logs, List.of("-Xmx1g"), mainClass, arguments, systemProperties, environment);
    }

    /** Like {@link #start(Path, String, List, Map, Map)} with JVM options such as {@code -Xmx96m}. */
    public static JavaProcess start(Path logs, List<String> jvmOptions, String mainClass, List<String> arguments,
                                    Map<String, String> systemProperties, Map<String, String> environment) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(arguments);
        try {
            Files.createDirectories(logs);
            Path out = logs.resolve("stdout.txt");
            Path err = logs.resolve("stderr.txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            return new JavaProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Process process() {
        return process;
    }

    /** Waits for the child to end (at most {@code seconds}, then kills it and fails) and returns its exit code. */
    public int waitFor(long seconds) {
        try {
            if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the child did not end within " + seconds + " s; stderr: " + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the child", e);
        }
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
