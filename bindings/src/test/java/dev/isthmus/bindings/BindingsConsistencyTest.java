package dev.isthmus.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed jextract output and the symbol lists in {@code native-scripts/bindings/*.args} agree: every
 * requested symbol was generated, and nothing was generated that no list asks for (a stale or hand-edited
 * output, or an args file edited without rerunning {@code native-scripts/generate-bindings.sh}).
 */
class BindingsConsistencyTest {

    /** One jextract run: its args file, target package and header class. */
    record Library(String argsFile, String packageName, String headerClass) {
        @Override
        public String toString() {
            return packageName;
        }

        Path packageDir() {
            return projectRoot().resolve("bindings/src/main/java").resolve(packageName.replace('.', '/'));
        }
    }

    /** The symbols one args file asks for, by kind. */
    record RequestedSymbols(Set<String> functions, Set<String> constants, Set<String> typedefs, Set<String> structs) {
        private static final Pattern INCLUDE = Pattern.compile("^\\s*--include-(\\w+)\\s+(\\w+)");

        static RequestedSymbols parse(Path argsFile) {
            var functions = new TreeSet<String>();
            var constants = new TreeSet<String>();
            var typedefs = new TreeSet<String>();
            var structs = new TreeSet<String>();
            for (String line : readLines(argsFile)) {
                Matcher include = INCLUDE.matcher(line);
                if (!include.find()) {
                    continue;
                }
                String name = include.group(2);
                switch (include.group(1)) {
                    case "function" -> functions.add(name);
                    case "constant" -> constants.add(name);
                    case "typedef" -> typedefs.add(name);
                    case "struct", "union" -> structs.add(name);
                    default -> throw new AssertionError(argsFile + ": unknown option --include-" + include.group(1));
                }
            }
            return new RequestedSymbols(functions, constants, typedefs, structs);
        }
    }

    /** What jextract generated for one package, read from the sources. */
    record GeneratedSymbols(Set<String> headerMethods, Set<String> headerFields, Set<String> classes) {
        // Members of the header class sit at one indentation level; those of its private holder classes deeper.
        private static final Pattern HEADER_MEMBER =
                Pattern.compile("^    public static (?:final )?(?:class (\\w+)|[\\w.$<>\\[\\]]+ ([\\w$]+)\\s*([(=]))");

        static GeneratedSymbols read(Library library) {
            var methods = new TreeSet<String>();
            var fields = new TreeSet<String>();
            var classes = new TreeSet<String>();
            Pattern headerFile = Pattern.compile(Pattern.quote(library.headerClass()) + "(_\\d+)?\\.java");
            for (Path source : javaSources(library.packageDir())) {
                String fileName = source.getFileName().toString();
                if (fileName.equals("package-info.java") || fileName.equals(library.headerClass() + "$shared.java")) {
                    continue; // package-info is written by the script; $shared holds jextract's C_* layouts
                }
                if (!headerFile.matcher(fileName).matches()) {
                    classes.add(fileName.substring(0, fileName.length() - ".java".length()));
                    continue;
                }
                for (String line : readLines(source)) {
                    Matcher member = HEADER_MEMBER.matcher(line);
                    if (!member.find()) {
                        continue;
                    }
                    if (member.group(1) != null) {
                        methods.add(member.group(1)); // variadic functions become nested invoker classes
                    } else {
                        // jextract's helpers are named symbol$descriptor, symbol$handle, symbol$address, ...
                        String symbol = member.group(2).split("\\$", 2)[0];
                        (member.group(3).equals("(") ? methods : fields).add(symbol);
                    }
                }
            }
            return new GeneratedSymbols(methods, fields, classes);
        }
    }

    static List<Library> libraries() {
        return List.of(
                new Library("cudart.args", "dev.isthmus.bindings.cudart", "CudaRuntime"),
                new Library("cublas.args", "dev.isthmus.bindings.cublas", "Cublas"),
                new Library("cudnn.args", "dev.isthmus.bindings.cudnn", "Cudnn"),
                new Library("dnnl.args", "dev.isthmus.bindings.dnnl", "Dnnl"));
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void everyRequestedSymbolWasGenerated(Library library) {
        RequestedSymbols requested = requested(library);
        GeneratedSymbols generated = GeneratedSymbols.read(library);

        assertTrue(Files.isRegularFile(library.packageDir().resolve(library.headerClass() + ".java")),
                "header class " + library.headerClass() + " missing in " + library.packageDir());
        assertMissing(library, "functions", requested.functions(), generated.headerMethods());
        assertMissing(library, "constants", requested.constants(), generated.headerMethods());
        assertMissing(library, "structs", requested.structs(), generated.classes());
        // A pointer or primitive typedef becomes a layout field of the header class, a struct typedef a class.
        assertMissing(library, "typedefs", requested.typedefs(), union(generated.headerFields(), generated.classes()));
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void nothingWasGeneratedThatTheArgsFileDoesNotAskFor(Library library) {
        RequestedSymbols requested = requested(library);
        GeneratedSymbols generated = GeneratedSymbols.read(library);

        assertFalse(generated.headerMethods().isEmpty(), "no functions or constants found in " + library.headerClass());
        assertUnrequested(library, "functions or constants of " + library.headerClass(),
                generated.headerMethods(), union(requested.functions(), requested.constants()));
        assertUnrequested(library, "fields of " + library.headerClass(), generated.headerFields(), requested.typedefs());
        assertUnrequested(library, "classes", generated.classes(), union(requested.structs(), requested.typedefs()));
    }

    @ParameterizedTest
    @MethodSource("libraries")
    void everySymbolIsRequestedOnce(Library library) {
        List<String> names = readLines(argsDir().resolve(library.argsFile())).stream()
                .map(RequestedSymbols.INCLUDE::matcher)
                .filter(Matcher::find)
                .map(include -> include.group(2))
                .toList();
        Set<String> duplicates = names.stream()
                .filter(name -> names.indexOf(name) != names.lastIndexOf(name))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), duplicates, library.argsFile() + " lists these symbols more than once");
    }

    private static void assertMissing(Library library, String kind, Set<String> requested, Set<String> generated) {
        Set<String> missing = new TreeSet<>(requested);
        missing.removeAll(generated);
        assertEquals(Set.of(), missing, kind + " in native-scripts/bindings/" + library.argsFile()
                + " absent from the generated " + library.packageName() + "; rerun native-scripts/generate-bindings.sh");
    }

    private static void assertUnrequested(Library library, String kind, Set<String> generated, Set<String> requested) {
        Set<String> unrequested = new TreeSet<>(generated);
        unrequested.removeAll(requested);
        assertEquals(Set.of(), unrequested, kind + " generated in " + library.packageName()
                + " but not listed in native-scripts/bindings/" + library.argsFile()
                + "; the sources are stale or hand-edited: rerun native-scripts/generate-bindings.sh");
    }

    private static RequestedSymbols requested(Library library) {
        RequestedSymbols requested = RequestedSymbols.parse(argsDir().resolve(library.argsFile()));
        assertFalse(requested.functions().isEmpty(), library.argsFile() + " lists no functions");
        return requested;
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> union = new TreeSet<>(first);
        union.addAll(second);
        return union;
    }

    private static Path argsDir() {
        return projectRoot().resolve("native-scripts/bindings");
    }

    /** Maven runs tests in the module folder (bindings/); an IDE may use the project root. */
    private static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate = here; candidate != null; candidate = candidate.getParent()) {
            if (Files.isDirectory(candidate.resolve("native-scripts/bindings"))) {
                return candidate;
            }
        }
        throw new AssertionError("native-scripts/bindings not found in " + here + " or its parents");
    }

    private static List<Path> javaSources(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
