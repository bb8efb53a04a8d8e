package io.infernet.chat.parse;

/** What a {@link CallReader} reports to. Implemented by the parser. */
interface CallSink {

    /** False when the request named its tools and this is not one of them. */
    boolean knownTool(String name);

    /** How a tagged argument's raw text becomes JSON, from the tool's parameter schema. */
    ArgumentValues.Kind parameterKind(String tool, String parameter);

    /** A fresh call id, for formats that carry none. */
    String newId();

    /** Opens the next call. */
    void start(String id, String name);

    /** Appends to the open call's arguments. */
    void arguments(String piece);

    /** Closes the open call. */
    void end(boolean complete);

    void content(String text);

    void reasoning(String text);
}
