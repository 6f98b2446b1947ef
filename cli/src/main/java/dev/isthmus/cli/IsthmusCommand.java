package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The {@code isthmus} command: one entry point, one subcommand per job. */
@Command(name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = IsthmusCommand.Version.class,
        description = "Train convolutional networks from Java on cuDNN/cuBLAS (GPU) or the pure-Java reference backend.",
        subcommands = {
                TrainCommand.class,
                EvalCommand.class,
                PredictCommand.class,
                DataCommand.class,
                CompareCommand.class,
                BenchCommand.class,
                DemoCommand.class,
                DoctorCommand.class,
                CommandLine.HelpCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:out of (GPU) memory, or an unexpected failure (run with --verbose for the stack trace)",
                "2:bad input: command-line arguments, data files or checkpoints; for predict, any image that could not be read",
                "3:the CUDA backend is not usable here (see `isthmus doctor`)",
                "4:backends disagree beyond tolerance (compare)",
                "5:training diverged (loss or weights became NaN/Inf)",
                "130:interrupted by Ctrl-C (SIGINT); checkpoints already written are intact",
                "143:stopped by SIGTERM; checkpoints already written are intact"})
public final class IsthmusCommand implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try `isthmus --help`.");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given streams; returns the exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        IsthmusCommand root = new IsthmusCommand();
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose") || root.verbose;
            return reportFailure(exception, commandLine.getErr(), verbose);
        });
        cli.setParameterExceptionHandler((exception, arguments) -> reportUsageError(exception));
        return cli.execute(args);
    }

    /** A command line picocli cannot parse: one line naming the problem and where help is, like every other error (exit 2). */
    static int reportUsageError(CommandLine.ParameterException exception) {
        CommandLine command = exception.getCommandLine();
        String message = exception.getMessage() == null ? "invalid command line" : exception.getMessage().lines().findFirst().orElse("");
        StringBuilder line = new StringBuilder("isthmus: ").append(message);
        if (exception instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
        }
        if (!message.contains("--help")) {
            line.append("; see `").append(command.getCommandSpec().qualifiedName()).append(" --help`");
        }
        command.getErr().println(line);
        command.getErr().flush();
        return IsthmusException.EXIT_BAD_INPUT;
    }

    static int reportFailure(Exception exception, PrintWriter err, boolean verbose) {
        int code = switch (exception) {
            case IsthmusException e -> e.exitCode();
            case IllegalArgumentException e -> IsthmusException.EXIT_BAD_INPUT;
            default -> IsthmusException.EXIT_FAILURE;
        };
        String message = exception.getMessage() == null ? exception.getClass().getSimpleName() : exception.getMessage();
        err.println("isthmus: " + message.lines().findFirst().orElse(message));
        if (verbose) {
            exception.printStackTrace(err);
        } else if (code == IsthmusException.EXIT_FAILURE && !(exception instanceof IsthmusException)) {
            // An IsthmusException's message is already the one actionable line; only unexpected errors get the hint.
            err.println("isthmus: (" + exception.getClass().getName() + "; run again with --verbose for the stack trace)");
        }
        err.flush();
        return code;
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = IsthmusCommand.class.getResourceAsStream("/isthmus-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                    "isthmus " + properties.getProperty("version", "unknown"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            };
        }
    }
}
