package dev.isthmus.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.isthmus.tensor.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link SafeTensors}' reader: it trusts nothing, checking every size against the real file length
 * before anything is allocated; any inconsistency is a {@link CheckpointException} with a one-line message.
 */
final class SafeTensorsReader {
    private SafeTensorsReader() {
    }

    private record Entry(String name, Shape shape, long begin, long end) {
    }

    static SafeTensorsFile read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw CheckpointException.corrupt(file, "file is " + fileSize + " bytes, too short for the 8-byte header length", "at least 8 bytes");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, prefix, 0);
        long headerLength = prefix.flip().getLong(); // unsigned: a negative value is simply huge
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw CheckpointException.corrupt(file, "header length " + Long.toUnsignedString(headerLength) + " is larger than the file ("
                    + fileSize + " bytes)", "a header length of at most " + (fileSize - 8));
        }
        if (headerLength > SafeTensors.MAX_HEADER_BYTES) {
            throw CheckpointException.corrupt(file, "header length " + headerLength + " exceeds the safetensors limit", "at most " + SafeTensors.MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, headerBytes, 8);
        byte[] header = headerBytes.array();
        if (header.length == 0 || header[0] != '{') {
            throw CheckpointException.corrupt(file, "header does not start with '{'", "a JSON object header");
        }
        JsonNode root;
        try {
            root = SafeTensors.JSON.readTree(header);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().lines().findFirst().orElse("");
            if (reason.startsWith("Duplicate field")) {
                throw CheckpointException.corrupt(file, "header names an entry twice (" + reason + ")", "unique tensor names");
            }
            throw CheckpointException.corrupt(file, "header is not valid JSON (" + reason + ")", "a JSON object with one entry per tensor");
        }
        if (root == null || !root.isObject()) {
            throw CheckpointException.corrupt(file, "header is not a JSON object", "a JSON object with one entry per tensor");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(SafeTensors.METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.add(parseEntry(file, field.getKey(), field.getValue()));
            }
        }
        long dataLength = fileSize - 8 - headerLength;
        checkLayout(file, entries, dataLength);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        long dataStart = 8 + headerLength;
        for (Entry entry : entries) {
            tensors.put(entry.name(), new HostTensor(entry.shape(), readFloats(file, channel, dataStart + entry.begin(), entry)));
        }
        return new SafeTensorsFile(file, tensors, metadata);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw CheckpointException.corrupt(file, SafeTensors.METADATA_KEY + " is not a JSON object", "string keys mapped to string values");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw CheckpointException.corrupt(file, "metadata '" + field.getKey() + "' is " + field.getValue().getNodeType().name().toLowerCase()
                        + ", not a string", "string values only");
            }
            into.put(field.getKey(), field.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) {
        String what = "tensor '" + name + "'";
        String expectedEntry = "{\"dtype\":\"F32\",\"shape\":[...],\"data_offsets\":[begin,end]}";
        if (!node.isObject()) throw CheckpointException.corrupt(file, what + " is not a JSON object", expectedEntry);
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shape == null || offsets == null) {
            throw CheckpointException.corrupt(file, what + " lacks " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"), expectedEntry);
        }
        if (!dtype.isTextual()) throw CheckpointException.corrupt(file, what + " has a non-string dtype", "dtype \"F32\"");
        if (!dtype.textValue().equals(SafeTensors.F32)) {
            throw SafeTensors.OTHER_DTYPES.contains(dtype.textValue())
                    ? new CheckpointException(file + ": " + what + " has dtype " + dtype.textValue()
                    + ", which Isthmus does not load (it trains in float32); convert it with tensor.float() before saving")
                    : CheckpointException.corrupt(file, what + " has unknown dtype '" + dtype.textValue() + "'", "dtype F32");
        }
        if (!shape.isArray()) throw CheckpointException.corrupt(file, what + " has a shape that is not an array", "an array of dimension sizes");
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw CheckpointException.corrupt(file, what + " has shape entry " + d, "non-negative integer dimension sizes below 2^31");
            }
            dims[i] = d.intValue();
        }
        if (!offsets.isArray() || offsets.size() != 2) {
            throw CheckpointException.corrupt(file, what + " has data_offsets " + offsets, "[begin, end]");
        }
        long[] range = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = offsets.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw CheckpointException.corrupt(file, what + " has data offset " + o, "non-negative integer offsets");
            }
            range[i] = o.longValue();
        }
        if (range[1] < range[0]) {
            throw CheckpointException.corrupt(file, what + " has data_offsets [" + range[0] + ", " + range[1] + "] ending before they begin", "begin <= end");
        }
        long bytes = Float.BYTES;
        for (int d : dims) bytes = saturatingMultiply(bytes, d);
        Shape tensorShape = Shape.of(dims);
        if (bytes != range[1] - range[0]) {
            throw CheckpointException.corrupt(file, what + " has shape " + tensorShape + " (" + (bytes == Long.MAX_VALUE ? "too many" : bytes)
                    + " bytes as F32) but data_offsets [" + range[0] + ", " + range[1] + "] span " + (range[1] - range[0]) + " bytes", "offsets matching the shape");
        }
        if (tensorShape.numel() > Integer.MAX_VALUE - 8) {
            throw CheckpointException.corrupt(file, what + " has " + tensorShape.numel() + " elements", "at most " + (Integer.MAX_VALUE - 8) + " per tensor");
        }
        return new Entry(name, tensorShape, range[0], range[1]);
    }

    /** Tensors must tile the data section exactly: from 0, no gaps, no overlaps, to its very end. */
    private static void checkLayout(Path file, List<Entry> entries, long dataLength) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() < expectedBegin) {
                throw CheckpointException.corrupt(file, "tensor '" + entry.name() + "' data [" + entry.begin() + ", " + entry.end()
                        + ") overlaps tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")", "non-overlapping tensors");
            }
            if (entry.begin() > expectedBegin) {
                throw CheckpointException.corrupt(file, "gap of " + (entry.begin() - expectedBegin) + " bytes before tensor '" + entry.name() + "' at offset "
                        + entry.begin(), "tensors laid out contiguously from offset 0");
            }
            if (entry.end() > dataLength) {
                throw CheckpointException.corrupt(file, "tensor '" + entry.name() + "' data [" + entry.begin() + ", " + entry.end()
                        + ") runs past the end of the data section (" + dataLength + " bytes): file truncated", "all tensor data inside the file");
            }
            expectedBegin = entry.end();
            previous = entry;
        }
        if (expectedBegin < dataLength) {
            throw CheckpointException.corrupt(file, (dataLength - expectedBegin) + " trailing bytes after the last tensor's data", "the file to end at offset "
                    + expectedBegin + " of the data section");
        }
    }

    private static float[] readFloats(Path file, FileChannel channel, long position, Entry entry) throws IOException {
        float[] values = new float[Math.toIntExact(entry.shape().numel())];
        ByteBuffer chunk = ByteBuffer.allocate(SafeTensors.CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int offset = 0; offset < values.length; offset += SafeTensors.CHUNK_FLOATS) {
            int count = Math.min(SafeTensors.CHUNK_FLOATS, values.length - offset);
            chunk.clear().limit(count * Float.BYTES);
            readFully(file, channel, chunk, position + (long) offset * Float.BYTES);
            chunk.flip();
            chunk.asFloatBuffer().get(values, offset, count);
        }
        return values;
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw CheckpointException.corrupt(file, "file ended at byte " + at + " while reading (changed while being read?)", "a complete file");
            at += n;
        }
    }

    private static long saturatingMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
