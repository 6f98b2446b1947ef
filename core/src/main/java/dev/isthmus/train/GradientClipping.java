package dev.isthmus.train;

import dev.isthmus.backend.Backend;
import dev.isthmus.nn.Model;
import dev.isthmus.nn.Parameter;

/**
 * {@code torch.nn.utils.clip_grad_norm_(parameters, max_norm)} with the 2-norm: the global norm of all
 * gradients together, and when it exceeds {@code maxNorm} every gradient scaled by
 * {@code maxNorm / (norm + 1e-6)}. Gradients below the limit are left untouched (PyTorch multiplies
 * them by 1, which changes no value).
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Clips the model's gradients in place.
     *
     * @param model   whose parameters' gradients are clipped (parameters without a gradient are skipped)
     * @param maxNorm the largest global norm allowed, positive
     * @return the global norm before clipping
     */
    public static double clip(Model model, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("the gradient-norm limit must be positive and finite, got " + maxNorm);
        }
        Backend backend = model.backend();
        double squares = 0;
        for (Parameter parameter : model.stateDict().values()) {
            if (parameter.grad() != null) squares += backend.sumOfSquares(parameter.grad());
        }
        double norm = Math.sqrt(squares);
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1) {
            for (Parameter parameter : model.stateDict().values()) {
                if (parameter.grad() != null) backend.scaleInPlace(parameter.grad(), (float) factor);
            }
        }
        return norm;
    }

    /** An optimizer's clipping limit: 0 is off, otherwise positive and finite. Returns it. */
    static double checkLimit(double clipGradNorm) {
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("the gradient-norm limit must be zero (off) or positive, got " + clipGradNorm);
        }
        return clipGradNorm;
    }
}
