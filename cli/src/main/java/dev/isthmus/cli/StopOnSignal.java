package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import dev.isthmus.train.Trainer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;

/**
 * Turns the first Ctrl-C / SIGTERM into a request to stop after the current step, so the loop ends
 * between steps and the last checkpoint stays intact; a second signal exits at once (checkpoints are
 * written atomically, so even that loses nothing already saved).
 */
final class StopOnSignal implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};
    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];
    private volatile int exitCode = IsthmusException.EXIT_INTERRUPTED;

    private StopOnSignal(Trainer trainer, PrintWriter err) {
        for (int i = 0; i < SIGNALS.length; i++) {
            try {
                previous[i] = Signal.handle(new Signal(SIGNALS[i]), signal -> {
                    // 128 + signal number, as when the JVM's default handling ends the process (before this
                    // handler is installed or after it is closed): 130 for Ctrl-C, 143 for SIGTERM, whenever it comes.
                    int code = 128 + signal.getNumber();
                    if (trainer.stopRequested()) {
                        Runtime.getRuntime().halt(code);
                    }
                    exitCode = code;
                    err.println();
                    err.println("isthmus: stopping after the current step (signal " + signal.getName() + "; again to quit at once)");
                    err.flush();
                    trainer.requestStop();
                });
            } catch (IllegalArgumentException unsupported) {
                previous[i] = null; // the JVM reserves this signal here (e.g. -Xrs); default handling stays
            }
        }
    }

    /** The exit code for the signal that asked to stop: 130 (SIGINT, Ctrl-C) or 143 (SIGTERM). */
    int exitCode() {
        return exitCode;
    }

    static StopOnSignal install(Trainer trainer, PrintWriter err) {
        return new StopOnSignal(trainer, err);
    }

    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (previous[i] != null) Signal.handle(new Signal(SIGNALS[i]), previous[i]);
        }
    }
}
