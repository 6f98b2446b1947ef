package dev.isthmus.bench;

import dev.isthmus.backend.cuda.CudaEnvironment;
import dev.isthmus.backend.cuda.nativelib.CudaComponent;
import dev.isthmus.backend.cuda.nativelib.LoadOutcome;
import dev.isthmus.backend.cuda.nativelib.SearchConfig;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The benchmarks' entry point ({@code java -jar benchmarks.jar}): JMH's own command line, plus
 * two decisions JMH cannot make. Benchmarks parameterised by {@code backend} run only on the
 * backends usable here (the others are named, with the reason, on stderr: "cuda: not usable here:
 * …"), and the libcudart call benchmarks are left out when libcudart cannot be loaded. When the
 * results go to a JSON file, GFLOP/s and GB/s are added to it and a table is printed
 * ({@link BenchReport}). With {@code -Disthmus.bench.cudaStandIn=DIR} (bench.sh --cuda-standin) the CUDA
 * backend runs on the CPU stand-in libraries in DIR, reported as backend {@code cuda-standin}, never as cuda.
 */
public final class BenchMain {
    private static final String CUDA_RUNTIME_CALLS = CudaRuntimeCallBenchmark.class.getName().replace(".", "\\.") + "\\.";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions commandLine;
        try {
            commandLine = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("bench: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (commandLine.shouldHelp() || commandLine.shouldList() || commandLine.shouldListWithParams()
                || commandLine.shouldListProfilers() || commandLine.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }

        ChainedOptionsBuilder options = new OptionsBuilder().parent(commandLine);
        String standIn = BenchBackends.standInFolder();
        if (standIn != null) {
            // Measure the CUDA backend on the CPU stand-in: this process and the forks load it instead of NVIDIA's.
            System.setProperty(SearchConfig.PATH_PROPERTY, standIn);
            options.jvmArgsPrepend("-D" + BenchBackends.STAND_IN_PROPERTY + "=" + standIn, "-D" + SearchConfig.PATH_PROPERTY + "=" + standIn);
        }
        CudaEnvironment cuda = CudaEnvironment.probe();
        Collection<String> requested = commandLine.getParameter("backend").orElse(
                standIn != null ? List.of("reference", BenchBackends.CUDA_STAND_IN) : BenchBackends.ALL);
        List<String> backends = chooseBackends(requested, cuda);
        if (backends.isEmpty()) {
            System.err.println("bench: none of the requested backends is usable here; nothing to run");
            System.exit(3);
            return;
        }
        options.param("backend", backends.toArray(String[]::new));
        if (standIn != null) {
            System.err.println("bench: cuda runtime calls: not measured with the stand-in (it is not NVIDIA's libcudart)");
            options.exclude(CUDA_RUNTIME_CALLS);
        } else if (!(cuda.libraries().of(CudaComponent.RUNTIME) instanceof LoadOutcome.Loaded)) {
            System.err.println("bench: cuda runtime calls: not measured here: libcudart is not loadable ("
                    + cuda.libraries().of(CudaComponent.RUNTIME) + ")");
            options.exclude(CUDA_RUNTIME_CALLS);
        }

        try {
            new Runner(options.build()).run();
        } catch (RunnerException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
        if (commandLine.getResultFormat().orElse(ResultFormatType.TEXT) == ResultFormatType.JSON
                && commandLine.getResult().hasValue()) {
            Path json = Path.of(commandLine.getResult().get());
            BenchReport report = BenchReport.read(json);
            report.writeJson(json);
            Path markdown = Path.of(json.toString().replaceFirst("\\.json$", "") + ".md");
            report.writeMarkdown(markdown);
            System.out.println();
            System.out.print(report.markdown());
            System.out.println("results: " + json + " (with GFLOP/s, GB/s), table: " + markdown);
        }
    }

    /** The requested backends that can run here, in the requested order; says why each other one cannot. */
    static List<String> chooseBackends(Collection<String> requested, CudaEnvironment cuda) {
        List<String> chosen = new ArrayList<>();
        boolean standIn = BenchBackends.standInFolder() != null;
        for (String backend : requested) {
            if (backend.equals("cuda") && standIn) {
                System.err.println("cuda: skipped: the CUDA libraries loaded here are the CPU stand-in (measured as cuda-standin)");
            } else if (backend.equals(BenchBackends.CUDA_STAND_IN) && !standIn) {
                System.err.println(backend + ": skipped: run it through native-scripts/bench.sh --cuda-standin, which builds the"
                        + " stand-in and sets -D" + BenchBackends.STAND_IN_PROPERTY);
            } else if ((backend.equals("cuda") || backend.equals(BenchBackends.CUDA_STAND_IN)) && !cuda.usable()) {
                System.err.println(backend + ": not usable here: " + cuda.unusableReason().orElse("unknown") + " (" + backend + " rows skipped)");
            } else if (!BenchBackends.ALL.contains(backend) && !backend.equals(BenchBackends.CUDA_STAND_IN)) {
                System.err.println("bench: unknown backend '" + backend + "' skipped; known: " + String.join(", ", BenchBackends.ALL)
                        + ", " + BenchBackends.CUDA_STAND_IN);
            } else {
                chosen.add(backend);
            }
        }
        return chosen;
    }
}
