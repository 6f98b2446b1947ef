package dev.isthmus.reliability;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.checkpoint.CheckpointException;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.checkpoint.SafeTensorsFile;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any byte string given to the safetensors reader ends in a {@link CheckpointException} with a
 * one-line message or in a load that survives a round trip (what was read, written again and read
 * back, is equal); never another exception, an OutOfMemoryError from a lying length, or a hang.
 * <p>
 * Plain {@code mvn test} replays the seeds in {@code SafeTensorsFuzzTestInputs/read/}. Fuzz for real:
 * {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=SafeTensorsFuzzTest}
 */
class SafeTensorsFuzzTest {

    /** The header's JSON words, so mutations reach the tensor-entry checks (Jackson itself is not instrumented). */
    @DictionaryEntries({"\"__metadata__\"", "\"dtype\"", "\"F32\"", "\"F16\"", "\"shape\"", "\"data_offsets\"",
            "[0,4]", "[]", "{}", "-1", "18446744073709551615", "2147483648", "1e400"})
    @FuzzTest(maxDuration = "5m")
    void read(byte[] input) {
        Path file = FuzzFiles.write(input);
        SafeTensorsFile content;
        try {
            content = SafeTensors.read(file);
        } catch (CheckpointException e) {
            IdxReaderFuzzTest.assertOneLine(e);
            return;
        }
        long dataBytes = content.tensors().values().stream().mapToLong(t -> t.shape().bytes()).sum();
        assertEquals(input.length, 8 + headerLength(input) + dataBytes, "the tensors fill the data section exactly");
        Path copy = FuzzFiles.write(SafeTensors.encode(content.tensors(), content.metadata()));
        SafeTensorsFile again = SafeTensors.read(copy);
        assertEquals(content.metadata(), again.metadata(), "metadata survives a round trip");
        Map<String, HostTensor> tensors = again.tensors();
        assertEquals(content.tensors(), tensors, "tensors survive a round trip bit for bit");
    }

    private static long headerLength(byte[] input) {
        return java.nio.ByteBuffer.wrap(input, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
