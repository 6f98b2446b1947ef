package dev.isthmus.backend.reference;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/** Moves row-major matrices between native memory and the row arrays {@link RowGemm} works on. */
final class RowMatrices {
    private RowMatrices() {
    }

    /** A [rows, columns] row-major matrix from {@code source}, one Java array per row. */
    static float[][] read(MemorySegment source, int rows, int columns) {
        float[][] matrix = new float[rows][columns];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(source, JAVA_FLOAT_UNALIGNED, (long) r * columns * Float.BYTES, matrix[r], 0, columns);
        }
        return matrix;
    }

    /** Writes the rows one after another into {@code target}. */
    static void write(float[][] matrix, MemorySegment target) {
        long offset = 0;
        for (float[] row : matrix) {
            MemorySegment.copy(row, 0, target, JAVA_FLOAT_UNALIGNED, offset, row.length);
            offset += (long) row.length * Float.BYTES;
        }
    }

    static float[][] transpose(float[][] matrix, int rows, int columns) {
        float[][] t = new float[columns][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) t[c][r] = matrix[r][c];
        }
        return t;
    }

    /** Rows [from, to) of a matrix, sharing the row arrays. */
    static float[][] rows(float[][] matrix, int from, int to) {
        return from == 0 && to == matrix.length ? matrix : Arrays.copyOfRange(matrix, from, to);
    }
}
