package dev.isthmus.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineConventionsTest {

    @Test
    void helpListsTheSubcommandsAndExitsZero() {
        CliRunner result = CliRunner.run("--help");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("demo"), result.out());
        assertTrue(result.out().contains("doctor"), result.out());
        assertTrue(result.out().contains("Exit codes"), result.out());
    }

    @Test
    void versionNamesIsthmusAndJava() {
        CliRunner result = CliRunner.run("--version");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().startsWith("isthmus "), result.out());
        assertTrue(result.out().contains("Java 25") || result.out().contains("Java 2"), result.out());
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        CliRunner result = CliRunner.run("--no-such-option");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("--no-such-option"), result.err());
        assertFalse(result.err().contains("at dev.isthmus"), "no stack trace: " + result.err());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRunner result = CliRunner.run("fly");
        assertEquals(2, result.exitCode());
        assertFalse(result.err().contains("Exception"), result.err());
    }
}
