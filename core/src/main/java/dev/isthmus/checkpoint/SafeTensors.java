package dev.isthmus.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    static final String F32 = "F32";
    static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32",
            "F64", "I64", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");
    static final int CHUNK_FLOATS = 1 << 18;

    /** Duplicate keys would silently drop a tensor, and text after the object would go unnoticed: both are errors. */
    static final ObjectMapper JSON = JsonMapper.builder()
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
            return SafeTensorsReader.read(file, channel);
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
}
