/** The {@code isthmus} command line (Picocli): train, eval, compare, bench, doctor, data, demo. */
module dev.isthmus.cli {
    requires dev.isthmus.core;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires java.desktop;
    requires jdk.unsupported; // sun.misc.Signal: Ctrl-C and SIGTERM end a run at a checkpoint
    requires com.fasterxml.jackson.databind;

    // Picocli fills the commands' fields and calls their methods reflectively; Jackson writes the bench report.
    opens dev.isthmus.cli to info.picocli, com.fasterxml.jackson.databind;
}
