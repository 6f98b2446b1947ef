package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * The argument checks every op shares, one message style for every backend: the op first, then the
 * argument, the shapes and, where there is one, the fix.
 */
final class OpArguments {
    /** The most elements one tensor may have: int indexing in the reference kernels, int counts in cuDNN and cuBLAS. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    private OpArguments() {
    }

    /** Checks that {@code tensor} is a live tensor of {@code backend}, no larger than every backend handles. */
    static void live(Backend backend, String op, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " is null");
        }
        Backend owner = tensor.backend();
        if (owner != backend) {
            String whose = owner.getClass() == backend.getClass() ? "another " + owner.name() + " backend" : "backend '" + owner.name() + "'";
            throw new IllegalArgumentException(op + ": " + argument + " " + tensor.shape() + " belongs to " + whose
                    + ", not to this one; move it first (Model.to, fromArray)");
        }
        if (tensor.isClosed()) {
            throw new IllegalStateException(Backend.closedTensorMessage(op, argument, tensor));
        }
        if (tensor.numel() > MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": " + argument + " " + tensor.shape() + " has more than 2^31-1 elements, more than the "
                    + backend.name() + " backend handles");
        }
    }

    static void shape(Backend backend, String op, Shape shape) {
        if (shape == null) {
            throw new IllegalArgumentException(op + ": shape is null");
        }
        if (shape.numel() > MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": shape " + shape + " has more than 2^31-1 elements, more than the "
                    + backend.name() + " backend handles");
        }
    }

    static void spec(String op, Object spec) {
        if (spec == null) {
            throw new IllegalArgumentException(op + ": spec is null; pass the layer's geometry (Conv2dSpec.defaults(), Pool2dSpec.of(k))");
        }
    }

    static void host(String op, MemorySegment host, Shape shape) {
        if (host == null) {
            throw new IllegalArgumentException(op + ": host memory is null");
        }
        if (host.byteSize() < shape.bytes()) {
            throw new IllegalArgumentException(op + ": host memory has " + host.byteSize() + " bytes but shape " + shape + " needs "
                    + shape.bytes());
        }
    }

    static void rank(String op, String argument, Tensor tensor, int rank, String layout) {
        if (tensor.shape().rank() != rank) {
            throw new IllegalArgumentException(op + ": " + argument + " must be " + rank + "-D " + layout + ", got " + tensor.shape());
        }
    }

    static void sameShape(String op, String firstName, Tensor first, String secondName, Tensor second) {
        if (!first.shape().equals(second.shape())) {
            throw new IllegalArgumentException(op + ": " + firstName + " " + first.shape() + " and " + secondName + " " + second.shape()
                    + " must have the same shape");
        }
    }

    static void gradOutput(String op, Tensor gradOutput, Shape expected, String from) {
        if (!gradOutput.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": gradOutput has shape " + gradOutput.shape() + " but " + from
                    + " give an output of shape " + expected);
        }
    }

    /** A bias must be [outputs] or null. */
    static void bias(String op, Tensor bias, Tensor weight, int outputs, String unit) {
        if (bias != null && !bias.shape().equals(Shape.of(outputs))) {
            throw new IllegalArgumentException(op + ": bias has shape " + bias.shape() + " but weight " + weight.shape() + " has "
                    + outputs + " " + unit + "; pass a bias of shape [" + outputs + "] or null");
        }
    }

    /** Runs a shape computation whose messages name the forward op, naming this (backward) op in front. */
    static Shape withOp(String op, Supplier<Shape> shape) {
        try {
            return shape.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }
}
