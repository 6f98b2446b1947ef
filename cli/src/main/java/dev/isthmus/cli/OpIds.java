package dev.isthmus.cli;

import dev.isthmus.compare.OpCatalogue;

import java.util.Iterator;

/** The op names for picocli's {@code ${COMPLETION-CANDIDATES}}, taken from {@link OpCatalogue}, so help text never lists an op by hand. */
final class OpIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return OpCatalogue.ids().iterator();
    }
}
