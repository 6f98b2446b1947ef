/** Examples of Isthmus used as a library, as a module of their own. */
module dev.isthmus.examples {
    requires dev.isthmus.core;
}
