package dev.isthmus.cli;

import dev.isthmus.compare.TensorKind;
import dev.isthmus.compare.Tolerances;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** How closely {@code compare}'s two backends must agree: --exact, --tolerance and the per-kind atol/rtol options. */
final class ToleranceOptions {

    @Option(names = "--exact", description = "Demand bit-identical results (the default when both backends are reference).")
    boolean exact;

    @Option(names = "--tolerance", paramLabel = "KIND=ATOL:RTOL",
            description = {"Base tolerance of one kind (repeatable), e.g. param-grad=1e-5:1e-4; atol is in units of the",
                    "tensor's rms. Kinds and defaults: activation, activation-grad, param-grad and loss 1e-5:3e-5;",
                    "param (after the update) 1e-6:3e-6."})
    List<String> toleranceSettings = new ArrayList<>();

    @Option(names = "--atol-activation", paramLabel = "X", description = "Base atol of layer outputs.")
    Double atolActivation;
    @Option(names = "--rtol-activation", paramLabel = "X", description = "Base rtol of layer outputs.")
    Double rtolActivation;
    @Option(names = "--atol-activation-grad", paramLabel = "X", description = "Base atol of activation gradients.")
    Double atolActivationGrad;
    @Option(names = "--rtol-activation-grad", paramLabel = "X", description = "Base rtol of activation gradients.")
    Double rtolActivationGrad;
    @Option(names = "--atol-param-grad", paramLabel = "X", description = "Base atol of parameter gradients.")
    Double atolParamGrad;
    @Option(names = "--rtol-param-grad", paramLabel = "X", description = "Base rtol of parameter gradients.")
    Double rtolParamGrad;
    @Option(names = "--atol-param", paramLabel = "X", description = "Base atol of parameters after the update.")
    Double atolParam;
    @Option(names = "--rtol-param", paramLabel = "X", description = "Base rtol of parameters after the update.")
    Double rtolParam;
    @Option(names = "--atol-loss", paramLabel = "X", description = "Base atol of the loss.")
    Double atolLoss;
    @Option(names = "--rtol-loss", paramLabel = "X", description = "Base rtol of the loss.")
    Double rtolLoss;

    /** Defaults (exact for reference vs reference), then --tolerance settings, then the single-value options. */
    Tolerances tolerances(String backendA, String backendB) {
        boolean anySetting = !toleranceSettings.isEmpty() || atolActivation != null || rtolActivation != null || atolActivationGrad != null
                || rtolActivationGrad != null || atolParamGrad != null || rtolParamGrad != null || atolParam != null || rtolParam != null
                || atolLoss != null || rtolLoss != null;
        if (exact && anySetting) {
            throw new IllegalArgumentException("--exact demands bit-identical results; drop it or the tolerance options");
        }
        if (exact || (!anySetting && backendA.equals("reference") && backendB.equals("reference"))) {
            return Tolerances.exact();
        }
        Tolerances tolerances = Tolerances.defaults();
        for (String setting : toleranceSettings) tolerances = tolerances.with(setting);
        tolerances = set(tolerances, TensorKind.ACTIVATION, atolActivation, rtolActivation);
        tolerances = set(tolerances, TensorKind.ACTIVATION_GRAD, atolActivationGrad, rtolActivationGrad);
        tolerances = set(tolerances, TensorKind.PARAM_GRAD, atolParamGrad, rtolParamGrad);
        tolerances = set(tolerances, TensorKind.PARAM, atolParam, rtolParam);
        return set(tolerances, TensorKind.LOSS, atolLoss, rtolLoss);
    }

    private static Tolerances set(Tolerances tolerances, TensorKind kind, Double atol, Double rtol) {
        Tolerances result = tolerances;
        if (atol != null) result = result.withAtol(kind, atol);
        if (rtol != null) result = result.withRtol(kind, rtol);
        return result;
    }
}
