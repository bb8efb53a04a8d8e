package io.infernet.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {

    /** Streams the pieces and returns what was emitted, then "|" and whether it stopped. */
    private static String run(List<String> stops, String... pieces) {
        StopStringFilter f = new StopStringFilter(stops);
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            out.append(f.push(p));
        }
        out.append(f.flush());
        return out + "|" + f.stopped();
    }

    @Test
    void noStopsPassEverythingThrough() {
        assertEquals("hello world|false", run(List.of(), "hello", " world"));
    }

    @Test
    void aStopSplitAcrossPiecesIsNeverEmitted() {
        assertEquals("The answer|true", run(List.of("\n\n"), "The answer", "\n", "\nmore"));
        assertEquals("abc|true", run(List.of("END"), "abcE", "N", "D tail"));
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopStringFilter f = new StopStringFilter(List.of("END"));
        assertEquals("abc", f.push("abcEN"));
        assertEquals("ENx", f.push("x"));
        assertFalse(f.stopped());
        assertEquals("", f.push("E"));
        assertEquals("E", f.flush());
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        assertEquals("a|true", run(List.of("cd", "bc"), "abcd"));
        assertEquals("x|true", run(List.of("yz", "y"), "xyz"));
    }

    @Test
    void overlappingCandidates() {
        // "aab" could start "aab" at two offsets; the filter must not lose the leading "a".
        assertEquals("a|true", run(List.of("aab"), "a", "a", "a", "b"));
        assertEquals("aaa|false", run(List.of("aab"), "a", "a", "a"));
    }

    @Test
    void aStopAtTheVeryBeginningEmitsNothing() {
        assertEquals("|true", run(List.of("###"), "###", "text"));
    }

    @Test
    void afterAStopNothingMoreComesOut() {
        StopStringFilter f = new StopStringFilter(List.of("!"));
        assertEquals("hi", f.push("hi!there"));
        assertTrue(f.stopped());
        assertEquals("", f.push("more"));
        assertEquals("", f.flush());
    }

    @Test
    void emptyStopStringsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringFilter(List.of("")));
    }
}
