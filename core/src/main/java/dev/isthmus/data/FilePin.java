package dev.isthmus.data;

/** What a data file must be once decompressed: its exact length and lower-case hex SHA-256. */
public record FilePin(long bytes, String sha256) {
}
