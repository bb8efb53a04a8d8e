package io.infernet.chat.parse;

/** Reads one JSON object key and the colon after it, a character at a time: {@code  "key" :}. */
final class JsonKeyReader {

    enum Result { MORE, DONE, ERROR }

    private JsonScanner scanner;
    private String key;

    /** DONE on the colon; the key is then {@link #key()}. */
    Result accept(char c) {
        if (key != null) {
            if (JsonScanner.isSpace(c)) {
                return Result.MORE;
            }
            return c == ':' ? Result.DONE : Result.ERROR;
        }
        if (scanner == null) {
            if (JsonScanner.isSpace(c)) {
                return Result.MORE;
            }
            if (c != '"') {
                return Result.ERROR;
            }
            scanner = new JsonScanner();
        }
        JsonScanner.Result r = scanner.accept(c);
        if (r == JsonScanner.Result.ERROR) {
            return Result.ERROR;
        }
        if (r == JsonScanner.Result.DONE) {
            key = ArgumentValues.decodeString(scanner.text());
        }
        return Result.MORE;
    }

    /** The key read so far, null until its closing quote. */
    String key() {
        return key;
    }
}
