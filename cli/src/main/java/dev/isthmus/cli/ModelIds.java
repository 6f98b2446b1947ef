package dev.isthmus.cli;

import dev.isthmus.nn.Models;

import java.util.Iterator;

/** The model ids for picocli's {@code ${COMPLETION-CANDIDATES}}, taken from {@link Models}, so help text never lists a model by hand. */
final class ModelIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Models.ids().iterator();
    }
}
