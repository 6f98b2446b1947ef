package dev.isthmus.data;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.zip.ZipException;

/**
 * Plain words for an I/O failure, for the one-line messages users see ("permission denied", "not a
 * folder"): Java class names such as {@code java.nio.file.AccessDeniedException} read like a crash and
 * say nothing the words do not. Used by the data and checkpoint readers and writers and the CLI.
 */
public final class IoProblems {
    private IoProblems() {
    }

    /**
     * What went wrong, without the path (the caller's message names it) and without a class name.
     *
     * @param e the error
     * @return a few words, e.g. "permission denied"
     */
    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file or folder" + otherFile(missing);
            case AccessDeniedException denied -> "permission denied" + otherFile(denied);
            case FileAlreadyExistsException exists -> "a file of that name already exists" + otherFile(exists);
            case NotDirectoryException notFolder -> "not a folder" + otherFile(notFolder);
            case DirectoryNotEmptyException notEmpty -> "the folder is not empty";
            case FileSystemException other -> lowerFirst(other.getReason() != null ? other.getReason() : "file-system error") + otherFile(other);
            case EOFException eof -> "unexpected end of file";
            case ZipException zip -> "not a valid gzip stream" + detail(zip);
            case UnknownHostException host -> "unknown host" + detail(host);
            case HttpTimeoutException timeout -> "timed out";
            case ConnectException refused -> "cannot connect" + detail(refused);
            default -> e.getMessage() != null && !e.getMessage().isBlank() ? lowerFirst(e.getMessage().strip()) : "input/output error";
        };
    }

    /** A second path the error is about (e.g. the target of a move), when it names one. */
    private static String otherFile(FileSystemException e) {
        return e.getOtherFile() != null ? " (" + e.getOtherFile() + ")" : "";
    }

    private static String detail(IOException e) {
        return e.getMessage() != null && !e.getMessage().isBlank() ? " (" + e.getMessage().strip() + ")" : "";
    }

    /** "Not a directory" reads as part of a sentence: "cannot create ...: not a directory". */
    private static String lowerFirst(String text) {
        if (text.isEmpty() || (text.length() > 1 && Character.isUpperCase(text.charAt(1)))) return text; // keep acronyms
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
