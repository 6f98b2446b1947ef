package dev.isthmus.reliability;

import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.checkpoint.AtomicFiles;
import dev.isthmus.checkpoint.HostTensor;
import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Models;
import dev.isthmus.tensor.Shape;
import dev.isthmus.train.ModelCheckpoint;
import dev.isthmus.train.Sgd;
import dev.isthmus.train.SgdSettings;
import dev.isthmus.train.TrainingStep;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child process {@link CrashDuringCheckpointTest} kills with SIGKILL:
 * <ul>
 *   <li>{@code half TARGET MARKER}: starts replacing TARGET atomically, writes half of the new content,
 *       creates MARKER and waits to be killed;</li>
 *   <li>{@code loop MODEL_FILE MARKER}: saves a training checkpoint (weights and momentum) over and over,
 *       creating MARKER after the first save, until killed at a random moment.</li>
 * </ul>
 */
public final class CheckpointWriterChild {
    private CheckpointWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[1]);
        Path marker = Path.of(args[2]);
        switch (args[0]) {
            case "half" -> {
                byte[] next = SafeTensors.encode(Map.of("w", HostTensor.of(Shape.of(4096), new float[4096])), Map.of("save", "next"));
                AtomicFiles.replace(target, channel -> {
                    channel.write(ByteBuffer.wrap(next, 0, next.length / 2));
                    channel.force(true);
                    Files.createFile(marker);
                    try {
                        Thread.sleep(Long.MAX_VALUE); // killed here, in the middle of the write
                    } catch (InterruptedException e) {
                        throw new java.io.IOException(e);
                    }
                });
            }
            case "loop" -> {
                try (ReferenceBackend backend = new ReferenceBackend(); Model model = Models.INCEPTION.create(backend, 1);
                     Sgd sgd = new Sgd(SgdSettings.lesson())) {
                    TrainingStep.run(model, sgd, AllocationFailureTest.batch(1, 2), 0);
                    for (int save = 1; ; save++) {
                        ModelCheckpoint.save(target, model, sgd, new ModelCheckpoint.Progress(save, save, 1, 2));
                        if (save == 1) Files.createFile(marker);
                    }
                }
            }
            default -> throw new IllegalArgumentException("mode half or loop, got " + args[0]);
        }
    }
}
