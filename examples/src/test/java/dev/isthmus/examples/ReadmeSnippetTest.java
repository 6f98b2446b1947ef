package dev.isthmus.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** README's "Build your own network" snippet is this project's code, so the two cannot drift apart. */
class ReadmeSnippetTest {
    private static final Path README = Path.of("../README.md");
    private static final Path SOURCE = Path.of("src/main/java/dev/isthmus/examples/BuildYourOwnNetwork.java");

    @Test
    void readmeShowsTheExamplesCodeWordForWord() throws IOException {
        assertEquals(String.join("\n", regionsOf(Files.readAllLines(SOURCE))), String.join("\n", readmeSnippet(Files.readAllLines(README))));
    }

    /** The lines between "// README:begin" and "// README:end", each region dedented, regions separated by a blank line. */
    static List<String> regionsOf(List<String> source) {
        List<String> out = new ArrayList<>();
        List<String> region = null;
        for (String line : source) {
            if (line.strip().equals("// README:begin")) {
                region = new ArrayList<>();
            } else if (line.strip().equals("// README:end")) {
                if (!out.isEmpty()) out.add("");
                out.addAll(dedent(region));
                region = null;
            } else if (region != null) {
                region.add(line);
            }
        }
        return out;
    }

    /** The ```java block after the heading "## Build your own network". */
    static List<String> readmeSnippet(List<String> readme) {
        int heading = readme.indexOf("## Build your own network");
        int start = readme.subList(heading, readme.size()).indexOf("```java") + heading + 1;
        int end = readme.subList(start, readme.size()).indexOf("```") + start;
        return readme.subList(start, end);
    }

    private static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }
}
