package dev.isthmus.checkpoint;

import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, HostTensor> sample() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("b", HostTensor.of(Shape.of(2), 1.0f, -2.5f));
        tensors.put("a", HostTensor.of(Shape.of(1, 2), 0.5f, 3.0f));
        tensors.put("conv1.weight", HostTensor.of(Shape.of(1, 2, 3), 0, 1, 2, 3, 4, 5));
        return tensors;
    }

    private static Map<String, String> sampleMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", "cnn");
        metadata.put("epoch", "1");
        return metadata;
    }

    @Test
    void goldenBytesFollowTheSpecification() {
        // Written by hand from the format description: u64 LE header length, compact JSON with metadata first and
        // tensors sorted by name, space padding to a multiple of 8, then little-endian float32 data in that order.
        String json = "{\"__metadata__\":{\"model\":\"cnn\",\"epoch\":\"1\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[16,40]}}";
        assertEquals(223, json.length());
        String header = json + " "; // 224 = 28 × 8
        ByteBuffer expected = ByteBuffer.allocate(8 + 224 + 40).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(224).put(header.getBytes(StandardCharsets.UTF_8));
        for (float v : new float[]{0.5f, 3.0f, 1.0f, -2.5f, 0, 1, 2, 3, 4, 5}) expected.putFloat(v);
        byte[] encoded = SafeTensors.encode(sample(), sampleMetadata());
        assertArrayEquals(expected.array(), encoded);
        // The same bytes as the reference implementation's (safetensors 0.8.0, safetensors.numpy.save) data section.
        assertEquals("0000003f000040400000803f000020c0000000000000803f0000004000004040000080400000a040",
                HexFormat.of().formatHex(encoded, 8 + 224, encoded.length));
    }

    @Test
    void headerWithoutMetadataIsPaddedToEightBytes() {
        byte[] encoded = SafeTensors.encode(Map.of("x", HostTensor.of(Shape.of(1), 1.0f)), Map.of());
        // safetensors 0.8.0 writes exactly this for {"x": np.array([1.0], np.float32)}.
        String expected = "3800000000000000" + HexFormat.of().formatHex(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ".getBytes(StandardCharsets.US_ASCII)) + "0000803f";
        assertEquals(expected, HexFormat.of().formatHex(encoded));
    }

    @Test
    void roundTripIsBitExact() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(sample());
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7fc01234), -0.0f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 1e-40f};
        tensors.put("special", HostTensor.of(Shape.of(2, 4), special));
        tensors.put("empty", HostTensor.of(Shape.of(0, 3)));
        tensors.put("scalar", HostTensor.of(Shape.of(), 42f));
        float[] large = new float[600_000]; // spans several write chunks
        for (int i = 0; i < large.length; i++) large[i] = (float) Math.sin(i);
        tensors.put("large", HostTensor.of(Shape.of(600, 1000), large));
        Map<String, String> metadata = new LinkedHashMap<>(sampleMetadata());
        metadata.put("note", "ünïcödé \"quoted\"\nline");
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, metadata);
        SafeTensorsFile read = SafeTensors.read(file);
        assertEquals(tensors, read.tensors()); // HostTensor equality is bitwise
        assertEquals(0x7fc01234, Float.floatToRawIntBits(read.tensors().get("special").values()[1]));
        assertEquals(metadata, read.metadata());
        assertEquals(List.of("a", "b", "conv1.weight", "empty", "large", "scalar", "special"), List.copyOf(read.tensors().keySet()));
    }

    @Test
    void requireTensorsNamesMissingUnexpectedAndMisshapedTensors() {
        Map<String, HostTensor> tensors = Map.of("conv1.weight", HostTensor.of(Shape.of(10, 1, 3, 3), new float[90]),
                "fc.bias", HostTensor.of(Shape.of(10), new float[10]));
        SafeTensorsFile file = new SafeTensorsFile(Path.of("ckpt.safetensors"), tensors, Map.of());
        Map<String, Shape> expected = new LinkedHashMap<>();
        expected.put("conv1.weight", Shape.of(10, 1, 5, 5));
        expected.put("fc.bias", Shape.of(10));
        CheckpointException wrongShape = assertThrows(CheckpointException.class, () -> file.requireTensors(expected, "cnn"));
        assertEquals("ckpt.safetensors: conv1.weight has shape [10, 1, 3, 3] but model 'cnn' expects [10, 1, 5, 5]"
                + " (is this a checkpoint of another model? pass that model with --model)", wrongShape.getMessage());
        Map<String, Shape> other = Map.of("fc1.weight", Shape.of(3), "fc.bias", Shape.of(10));
        CheckpointException mismatch = assertThrows(CheckpointException.class, () -> file.requireTensors(other, "mlp"));
        assertTrue(mismatch.getMessage().startsWith("ckpt.safetensors: missing tensor fc1.weight that model 'mlp' needs; "
                + "tensor conv1.weight that model 'mlp' does not have"), mismatch.getMessage());
        file.requireTensors(Map.of("conv1.weight", Shape.of(10, 1, 3, 3), "fc.bias", Shape.of(10)), "cnn");
    }

    // ------------------------------------------------------------------ corrupt files

    private Path file(long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(headerLength).put(header).put(data);
        return Files.write(dir.resolve("bad.safetensors"), buffer.array());
    }

    private Path file(String header, int dataBytes) throws IOException {
        byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
        return file(bytes.length, bytes, new byte[dataBytes]);
    }

    private String error(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(file));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertEquals(CheckpointException.EXIT_BAD_INPUT, e.exitCode());
        return e.getMessage();
    }

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) assertTrue(message.contains(fragment), "'" + fragment + "' not in: " + message);
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void rejectsFilesShorterThanTheLengthField() throws IOException {
        Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[]{1, 2, 3});
        assertContains(error(tiny), "file is 3 bytes, too short");
    }

    @Test
    void rejectsHeaderLengthsBeyondTheFileWithoutAllocating() throws IOException {
        assertContains(error(file(1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0])), "header length 1000 is larger than the file (10 bytes)");
        assertContains(error(file(Long.MAX_VALUE, new byte[0], new byte[0])), "header length 9223372036854775807 is larger than the file");
        assertContains(error(file(-1, new byte[0], new byte[0])), "header length 18446744073709551615 is larger than the file");
    }

    @Test
    void rejectsHeadersThatAreNotAJsonObject() throws IOException {
        assertContains(error(file("[1, 2]", 0)), "header does not start with '{'");
        assertContains(error(file(" {}", 0)), "header does not start with '{'");
        assertContains(error(file("{\"a\": {\"dtype\": ", 0)), "header is not valid JSON");
        assertContains(error(file("{nope}", 0)), "header is not valid JSON");
        assertContains(error(file("{} {}", 0)), "header is not valid JSON");
        assertContains(error(file("{\"a\": 5}", 0)), "tensor 'a' is not a JSON object");
    }

    @Test
    void rejectsDuplicateNames() throws IOException {
        String header = "{" + tensor("w", "F32", "[1]", 0, 4) + "," + tensor("w", "F32", "[1]", 4, 8) + "}";
        assertContains(error(file(header, 8)), "header names an entry twice", "'w'");
    }

    @Test
    void rejectsUnsupportedAndUnknownDtypes() throws IOException {
        assertContains(error(file("{" + tensor("w", "F16", "[2]", 0, 4) + "}", 4)), "tensor 'w' has dtype F16, which Isthmus does not load", "tensor.float()");
        assertContains(error(file("{" + tensor("w", "Q7", "[1]", 0, 4) + "}", 4)), "unknown dtype 'Q7'");
    }

    @Test
    void rejectsMalformedEntries() throws IOException {
        assertContains(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), "tensor 'w' lacks data_offsets");
        assertContains(error(file("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", 4)), "shape entry -1");
        assertContains(error(file("{" + tensor("w", "F32", "[1.5]", 0, 4) + "}", 4)), "shape entry 1.5");
        assertContains(error(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4)), "data_offsets [0]");
        assertContains(error(file("{" + tensor("w", "F32", "[1]", 4, 0) + "}", 4)), "ending before they begin");
        assertContains(error(file("{\"__metadata__\":{\"epoch\":1}}", 0)), "metadata 'epoch' is number, not a string");
    }

    @Test
    void rejectsShapesThatDisagreeWithTheirOffsets() throws IOException {
        assertContains(error(file("{" + tensor("w", "F32", "[3]", 0, 8) + "}", 8)), "tensor 'w' has shape [3] (12 bytes as F32) but data_offsets [0, 8] span 8 bytes");
        // A hostile shape whose product overflows is still only a mismatch.
        assertContains(error(file("{" + tensor("w", "F32", "[2147483647,2147483647,2147483647]", 0, 8) + "}", 8)), "(too many bytes as F32)");
    }

    @Test
    void rejectsOverlapsGapsAndTruncation() throws IOException {
        String overlap = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}";
        assertContains(error(file(overlap, 12)), "tensor 'b' data [4, 12) overlaps tensor 'a' [0, 8)");
        String gap = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 12, 20) + "}";
        assertContains(error(file(gap, 20)), "gap of 4 bytes before tensor 'b'");
        String late = "{" + tensor("a", "F32", "[1]", 4, 8) + "}";
        assertContains(error(file(late, 8)), "gap of 4 bytes before tensor 'a'");
        assertContains(error(file("{" + tensor("a", "F32", "[2]", 0, 8) + "}", 5)), "runs past the end of the data section (5 bytes): file truncated");
        // 1 GiB declared in a tiny file: rejected by the layout check before any allocation.
        assertContains(error(file("{" + tensor("big", "F32", "[16384,16384]", 0, 1L << 30) + "}", 4)), "runs past the end");
        // More elements than a Java array holds: rejected outright.
        assertContains(error(file("{" + tensor("huge", "F32", "[65536,65536]", 0, 1L << 34) + "}", 4)), "has 4294967296 elements");
        assertContains(error(file("{" + tensor("a", "F32", "[2]", 0, 8) + "}", 11)), "3 trailing bytes after the last tensor's data");
    }

    @Test
    void readsWhatTheReferenceImplementationWrites() throws IOException {
        // safetensors 0.8.0 output for {"x": [1.0]} with no metadata (see headerWithoutMetadataIsPaddedToEightBytes).
        byte[] bytes = HexFormat.of().parseHex("3800000000000000" + HexFormat.of().formatHex(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ".getBytes(StandardCharsets.US_ASCII)) + "0000803f");
        SafeTensorsFile read = SafeTensors.read(Files.write(dir.resolve("ref.safetensors"), bytes));
        assertEquals(Map.of("x", HostTensor.of(Shape.of(1), 1.0f)), read.tensors());
        assertTrue(read.metadata().isEmpty());
    }

    // ------------------------------------------------------------------ atomic writing

    /** Passes the first {@code limit} bytes through, then fails like a full disk. */
    private record FailingChannel(WritableByteChannel inner, long[] left) implements WritableByteChannel {
        FailingChannel(WritableByteChannel inner, long limit) {
            this(inner, new long[]{limit});
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (left[0] <= 0) throw new IOException("No space left on device (simulated)");
            int n = (int) Math.min(left[0], source.remaining());
            ByteBuffer slice = source.slice().limit(n);
            int written = inner.write(slice);
            source.position(source.position() + written);
            left[0] -= written;
            return written;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    private List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted().toList();
        }
    }

    @Test
    void failedWriteLeavesThePreviousCheckpointIntact() throws IOException {
        Path target = dir.resolve("model.safetensors");
        SafeTensors.write(target, sample(), sampleMetadata());
        byte[] before = Files.readAllBytes(target);
        Map<String, HostTensor> next = Map.of("w", HostTensor.of(Shape.of(1000), new float[1000]));
        IOException failure = assertThrows(IOException.class, () -> AtomicFiles.replace(target,
                (FileChannel channel) -> SafeTensors.writeTo(new FailingChannel(channel, 300), next, Map.of())));
        assertTrue(failure.getMessage().contains("simulated"));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(sample(), SafeTensors.read(target).tensors());
        assertEquals(List.of(target), filesIn(dir), "no temporary file may remain");
    }

    @Test
    void writerExceptionsAlsoLeaveNoTrace() throws IOException {
        Path target = dir.resolve("state.safetensors");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.replace(target, channel -> {
            channel.write(ByteBuffer.wrap(new byte[]{1, 2, 3}));
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void replacingKeepsTheFilesPermissions() throws IOException {
        Path target = dir.resolve("model.safetensors");
        SafeTensors.write(target, sample(), Map.of());
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        SafeTensors.write(target, sample(), sampleMetadata());
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(sampleMetadata(), SafeTensors.read(target).metadata());
    }

    @Test
    void writingIntoAMissingFolderSaysSo() {
        Path target = dir.resolve("no/such/folder/model.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.write(target, sample(), Map.of()));
        assertTrue(e.getMessage().contains("does not exist; create it or choose another path"), e.getMessage());
    }

    @Test
    void invalidInputIsRejectedBeforeTouchingTheDisk() {
        Path target = dir.resolve("x.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(target, Map.of("__metadata__", HostTensor.of(Shape.of(1), 1f)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> HostTensor.of(Shape.of(2, 2), 1f, 2f));
        assertFalse(Files.exists(target));
    }

    @Test
    void missingFileIsOneClearLine() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("absent.safetensors: checkpoint file not found"), e.getMessage());
    }

}
