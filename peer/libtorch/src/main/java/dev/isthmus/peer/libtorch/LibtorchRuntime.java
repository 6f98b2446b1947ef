package dev.isthmus.peer.libtorch;

import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.globalContext;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.bytedeco.pytorch.Context;

/** What libtorch is and how it is set up for the run: version, intra-op threads, oneDNN on or off. */
record LibtorchRuntime(String libtorchVersion, String javacppVersion, int threads, boolean oneDnnAvailable,
                       boolean oneDnnEnabled) {

    static final String ONEDNN_NOTE = "libtorch's oneDNN (mkldnn) convolution backward gives wrong gradients"
            + " (NaN losses) on Zen 5 CPUs, so it is disabled, as torch.backends.mkldnn.enabled = False does;"
            + " convolutions then use libtorch's native CPU kernels";

    /**
     * Loads libtorch (from the JavaCPP jar only, see {@link LibtorchLibraries}), sets the thread count and the
     * oneDNN switch, then reads back what libtorch actually uses.
     */
    static LibtorchRuntime configure(int threads, boolean keepOneDnn) {
        Path libraries = LibtorchLibraries.extract();
        LibtorchLibraries.requireOnlyFrom(libraries); // e.g. one preloaded through LD_PRELOAD
        set_num_threads(threads); // the first call into libtorch: loads its libraries
        LibtorchLibraries.requireOnlyFrom(libraries); // e.g. one found through LD_LIBRARY_PATH
        Context context = globalContext();
        context.setUserEnabledMkldnn(keepOneDnn);
        String presetsVersion = mavenVersion("pytorch");
        // The presets version is "<pytorch>-<javacpp>", e.g. 2.10.0-1.5.13.
        String libtorch = presetsVersion.contains("-")
                ? presetsVersion.substring(0, presetsVersion.indexOf('-')) : presetsVersion;
        return new LibtorchRuntime(libtorch, mavenVersion("javacpp"), get_num_threads(), Context.hasMKLDNN(),
                context.userEnabledMkldnn());
    }

    private static String mavenVersion(String artifact) {
        String resource = "/META-INF/maven/org.bytedeco/" + artifact + "/pom.properties";
        try (InputStream in = LibtorchRuntime.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
