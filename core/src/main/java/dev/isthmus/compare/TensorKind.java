package dev.isthmus.compare;

/** What a compared tensor is; each kind has its own tolerance (see {@link Tolerances}). */
public enum TensorKind {
    /** A layer's forward output (single-op mode: the op's output). */
    ACTIVATION("activation"),
    /** The gradient a layer's backward pass returns for its input (and the loss gradient of the logits). */
    ACTIVATION_GRAD("activation-grad"),
    /** A parameter's gradient after backward, before the optimiser touches it. */
    PARAM_GRAD("param-grad"),
    /** A parameter's value after the SGD update. */
    PARAM("param"),
    /** The mean cross-entropy loss of the batch. */
    LOSS("loss");

    private final String id;

    TensorKind(String id) {
        this.id = id;
    }

    /**
     * The name used on the command line and in JSON: {@code activation}, {@code activation-grad}, ...
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The kind of a command-line name.
     *
     * @param id the name, e.g. {@code param-grad}
     * @return the kind
     */
    public static TensorKind byId(String id) {
        for (TensorKind kind : values()) {
            if (kind.id.equals(id)) return kind;
        }
        throw new IllegalArgumentException("unknown tensor kind '" + id + "'; choose one of: activation, activation-grad, param-grad, param, loss");
    }

    @Override
    public String toString() {
        return id;
    }
}
