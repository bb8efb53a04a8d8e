package io.infernet.chat.template.jinja;

/** Offsets in a normalized template source as line and column, both 1-based. */
final class Positions {
    private Positions() {}

    /** {line, column} of offset {@code pos} (clamped to the source), counting characters. */
    static int[] lineColumn(String source, int pos) {
        int line = 1;
        int column = 1;
        int end = Math.min(Math.max(pos, 0), source.length());
        for (int i = 0; i < end; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }
}
