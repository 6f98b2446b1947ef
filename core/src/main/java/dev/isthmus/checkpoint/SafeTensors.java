package dev.isthmus.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.isthmus.data.IoProblems;
import dev.isthmus.tensor.Shape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format, so checkpoints load in PyTorch with
 * {@code safetensors.torch.load_file} and vice versa.
 * <p>
 * Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON
 * {@code {"__metadata__":{str:str}, "name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]}, ...}},
 * padded with spaces to a multiple of 8; then the tensors' little-endian bytes, offsets relative
 * to the end of the header. Written like the reference implementation: compact JSON, metadata
 * first (omitted when empty, keys in the map's iteration order), tensors sorted by name (byte-wise UTF-8) and laid out
 * contiguously in that order.
 * <p>
 * The reader trusts nothing: every size is checked against the real file length before anything
 * is allocated, and any inconsistency is a {@link CheckpointException} with a one-line message.
 */
public final class SafeTensors {
    /** The reference implementation's limit on the JSON header. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";
    private static final String F32 = "F32";
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32",
            "F64", "I64", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");
    private static final int CHUNK_FLOATS = 1 << 18;

    /** Duplicate keys would silently drop a tensor, and text after the object would go unnoticed: both are errors. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file} atomically (temporary file,
     * fsync, rename): if anything fails, an existing {@code file} is left intact.
     *
     * @param file     the file
     * @param tensors  tensors by name, written in this order
     * @param metadata string metadata for the header's {@code __metadata__}
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata); // validate before touching the disk
        try {
            AtomicFiles.replace(file, channel -> writeBody(channel, header, tensors));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": cannot write the checkpoint, folder " + file.toAbsolutePath().getParent()
                    + " does not exist; create it or choose another path", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write the checkpoint (" + IoProblems.describe(e) + "); the previous file, if any, is unchanged", e);
        }
    }

    /**
     * The complete file content in memory (small files, tests).
     *
     * @param tensors  tensors by name
     * @param metadata string metadata
     * @return the bytes of a safetensors file
     */
    public static byte[] encode(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeBody(Channels.newChannel(bytes), header, tensors);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the whole file content (header length, header, data) to a channel.
     *
     * @param channel  where to write; left open
     * @param tensors  tensors by name
     * @param metadata string metadata
     * @throws IOException when the channel fails
     */
    public static void writeTo(WritableByteChannel channel, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        writeBody(channel, header(tensors, metadata), tensors);
    }

    private static void writeBody(WritableByteChannel channel, byte[] header, Map<String, HostTensor> tensors) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
        writeFully(channel, prefix);
        writeFully(channel, ByteBuffer.wrap(header));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (String name : sortedNames(tensors)) {
            float[] values = tensors.get(name).values();
            for (int offset = 0; offset < values.length; offset += CHUNK_FLOATS) {
                int count = Math.min(CHUNK_FLOATS, values.length - offset);
                chunk.clear();
                chunk.asFloatBuffer().put(values, offset, count); // keeps the exact bits, NaN payloads included
                chunk.limit(count * Float.BYTES);
                writeFully(channel, chunk);
            }
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) throw new IllegalArgumentException("checkpoint: null tensor name or value");
            if (entry.getKey().equals(METADATA_KEY)) throw new IllegalArgumentException("checkpoint: a tensor cannot be named " + METADATA_KEY);
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator out = new JsonFactory().createGenerator(json)) {
            out.writeStartObject();
            if (!metadata.isEmpty()) {
                out.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    if (entry.getValue() == null) throw new IllegalArgumentException("checkpoint: metadata '" + entry.getKey() + "' is null");
                    out.writeStringField(entry.getKey(), entry.getValue());
                }
                out.writeEndObject();
            }
            long offset = 0;
            for (String name : sortedNames(tensors)) {
                HostTensor tensor = tensors.get(name);
                long end = offset + tensor.shape().bytes();
                out.writeObjectFieldStart(name);
                out.writeStringField("dtype", F32);
                out.writeArrayFieldStart("shape");
                for (int d : tensor.shape().dims()) out.writeNumber(d);
                out.writeEndArray();
                out.writeArrayFieldStart("data_offsets");
                out.writeNumber(offset);
                out.writeNumber(end);
                out.writeEndArray();
                out.writeEndObject();
                offset = end;
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        int padding = (8 - json.size() % 8) % 8;
        for (int i = 0; i < padding; i++) json.write(' ');
        return json.toByteArray();
    }

    /** Tensor names in the reference implementation's order: byte-wise on UTF-8. */
    private static List<String> sortedNames(Map<String, HostTensor> tensors) {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.comparing((String name) -> name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return names;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads and validates a whole file.
     *
     * @param file the file
     * @return its tensors and metadata
     */
    public static SafeTensorsFile read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, channel);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": checkpoint file not found; pass the path of a .safetensors file written by `isthmus train`", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the checkpoint (" + IoProblems.describe(e) + ")", e);
        }
    }

    /**
     * Reads a file and checks it holds exactly the tensors {@code expected} names, with those shapes.
     *
     * @param file      the file
     * @param expected  shapes by tensor name
     * @param modelName the model, for messages
     * @return its tensors and metadata
     */
    public static SafeTensorsFile read(Path file, Map<String, Shape> expected, String modelName) {
        SafeTensorsFile content = read(file);
        content.requireTensors(expected, modelName);
        return content;
    }

    private record Entry(String name, Shape shape, long begin, long end) {
    }

    private static SafeTensorsFile read(Path file, FileChannel channel) throws IOException {
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
        if (headerLength > MAX_HEADER_BYTES) {
            throw CheckpointException.corrupt(file, "header length " + headerLength + " exceeds the safetensors limit", "at most " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, headerBytes, 8);
        byte[] header = headerBytes.array();
        if (header.length == 0 || header[0] != '{') {
            throw CheckpointException.corrupt(file, "header does not start with '{'", "a JSON object header");
        }
        JsonNode root;
        try {
            root = JSON.readTree(header);
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
            if (field.getKey().equals(METADATA_KEY)) {
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
            throw CheckpointException.corrupt(file, METADATA_KEY + " is not a JSON object", "string keys mapped to string values");
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
        if (!dtype.textValue().equals(F32)) {
            throw OTHER_DTYPES.contains(dtype.textValue())
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
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int offset = 0; offset < values.length; offset += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, values.length - offset);
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
