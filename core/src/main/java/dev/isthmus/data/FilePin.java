package dev.isthmus.data;

/**
 * What a data file must be once decompressed: its exact length and lower-case hex SHA-256.
 *
 * @param bytes  the length
 * @param sha256 the digest, lower-case hex
 */
public record FilePin(long bytes, String sha256) {
}
