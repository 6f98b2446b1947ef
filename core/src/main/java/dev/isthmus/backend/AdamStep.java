package dev.isthmus.backend;

/**
 * The hyper-parameters and step number of one {@link Backend#adamStep} update, as {@code torch.optim.Adam}
 * ({@code decoupledWeightDecay = false}) or {@code torch.optim.AdamW} ({@code true}) use them, with
 * {@code amsgrad=False, maximize=False}. Values are doubles because PyTorch computes its scalars (bias
 * corrections, step size) in Python floats and rounds them to float32 only where they meet a tensor; the
 * float scalars below are that rounding, shared by every backend.
 * <p>
 * The record holds what it is given; {@link Backend#adamStep} checks the ranges ({@link #check}).
 *
 * @param learningRate         lr, zero or positive
 * @param beta1                the first moment's decay, in [0, 1)
 * @param beta2                the second moment's decay, in [0, 1)
 * @param eps                  added to the denominator, positive
 * @param weightDecay          zero or positive: an L2 term added to the gradient (Adam) or a decay of the parameter (AdamW)
 * @param step                 this update's number t, from 1 (the bias corrections are 1 − β^t)
 * @param decoupledWeightDecay AdamW's {@code param *= 1 − lr·weightDecay} instead of Adam's {@code grad += weightDecay·param}
 */
public record AdamStep(double learningRate, double beta1, double beta2, double eps, double weightDecay, long step,
                       boolean decoupledWeightDecay) {

    /**
     * Refuses values PyTorch's optimizers refuse (and a step below 1), one message per argument.
     *
     * @param op the operation, first word of the message
     * @throws IllegalArgumentException naming the first bad value and its valid range
     */
    public void check(String op) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(op + ": learning rate " + learningRate + " is invalid; pass a finite value >= 0");
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException(op + ": beta1 " + beta1 + " is invalid; pass a value in [0, 1)");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": beta2 " + beta2 + " is invalid; pass a value in [0, 1)");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps " + eps + " is invalid; pass a finite value > 0");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(op + ": weight decay " + weightDecay + " is invalid; pass a finite value >= 0");
        }
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step " + step + " is invalid; steps count from 1");
        }
    }

    /**
     * {@code 1 − lr·weightDecay}, AdamW's factor on the parameter.
     *
     * @return the factor as float32
     */
    public float parameterDecay() {
        return (float) (1 - learningRate * weightDecay);
    }

    /**
     * {@code 1 − β1}, the new gradient's weight in the first moment.
     *
     * @return it as float32
     */
    public float oneMinusBeta1() {
        return (float) (1 - beta1);
    }

    /**
     * {@code 1 − β2}, the squared gradient's weight in the second moment.
     *
     * @return it as float32
     */
    public float oneMinusBeta2() {
        return (float) (1 - beta2);
    }

    /**
     * {@code sqrt(1 − β2^t)}, the second moment's bias correction under the square root.
     *
     * @return it as float32
     */
    public float biasCorrection2Sqrt() {
        return (float) Math.sqrt(1 - Math.pow(beta2, step));
    }

    /**
     * {@code −lr / (1 − β1^t)}, the factor on {@code m / denom}.
     *
     * @return it as float32
     */
    public float negativeStepSize() {
        return (float) -(learningRate / (1 - Math.pow(beta1, step)));
    }
}
