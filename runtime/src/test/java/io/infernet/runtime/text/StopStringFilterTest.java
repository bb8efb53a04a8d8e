package io.infernet.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {

    /** Pushes every piece and returns each push's output, then the flush as the last element. */
    private static List<String> run(StopStringFilter f, String... pieces) {
        List<String> out = new ArrayList<>();
        for (String p : pieces) {
            out.add(f.push(p));
        }
        out.add(f.flush());
        return out;
    }

    @Test
    void noStopsPassesEverythingThroughAtOnce() {
        StopStringFilter f = new StopStringFilter(List.of());
        assertEquals(List.of("Hel", "lo", ""), run(f, "Hel", "lo"));
        assertFalse(f.stopped());
    }

    @Test
    void stopInsideOnePieceCutsBeforeIt() {
        StopStringFilter f = new StopStringFilter(List.of("END"));
        assertEquals("abc", f.push("abcENDdef"));
        assertTrue(f.stopped());
        assertEquals("END", f.matched());
        assertEquals("", f.push("more"));
        assertEquals("", f.flush());
    }

    @Test
    void stopSplitAcrossPiecesIsHeldBackAndNeverEmitted() {
        StopStringFilter f = new StopStringFilter(List.of("</s>"));
        assertEquals(List.of("Hi", "", "", "", ""), run(f, "Hi<", "/", "s", ">tail"));
        assertTrue(f.stopped());
    }

    @Test
    void heldTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopStringFilter f = new StopStringFilter(List.of("</s>"));
        assertEquals("Hi", f.push("Hi</"));
        assertEquals("</x", f.push("x"));
        assertEquals("a", f.push("a<"));
        assertFalse(f.stopped());
        assertEquals("<", f.flush());
    }

    @Test
    void onlyASuffixThatCouldStartAStopIsHeld() {
        StopStringFilter f = new StopStringFilter(List.of("abab"));
        assertEquals("x", f.push("xaba"));
        assertEquals("abac", f.push("c"));
        assertEquals("", f.flush());

        StopStringFilter g = new StopStringFilter(List.of("abab"));
        assertEquals("aba", g.push("abaa")); // "a" may still start "abab"
        assertEquals("", g.push("bab"));
        assertTrue(g.stopped());
    }

    @Test
    void stopAtTheVeryBeginning() {
        StopStringFilter f = new StopStringFilter(List.of("Hello"));
        assertEquals(List.of("", ""), run(f, "Hello world"));
        assertTrue(f.stopped());
        StopStringFilter g = new StopStringFilter(List.of("\n"));
        assertEquals("", g.push("\n"));
        assertTrue(g.stopped());
    }

    @Test
    void multipleStopsTheFirstToCompleteWins() {
        StopStringFilter f = new StopStringFilter(List.of("world", "lo"));
        assertEquals("Hel", f.push("Hello world"));
        assertEquals("lo", f.matched());
    }

    @Test
    void overlappingCandidatesEarliestEndWinsRegardlessOfSplitting() {
        // "abcd" starts first but "bc" completes first: a char-by-char checker stops at "bc".
        List<String> stops = List.of("abcd", "bc");
        StopStringFilter whole = new StopStringFilter(stops);
        assertEquals("xa", whole.push("xabcd"));
        assertEquals("bc", whole.matched());
        StopStringFilter split = new StopStringFilter(stops);
        assertEquals(List.of("x", "", "a"), List.of(split.push("x"), split.push("ab"), split.push("cd")));
        assertEquals("bc", split.matched());
    }

    @Test
    void sameEndPrefersTheLongerStop() {
        StopStringFilter f = new StopStringFilter(List.of("c", "abc"));
        assertEquals("x", f.push("xabc"));
        assertEquals("abc", f.matched());
    }

    @Test
    void repeatedPrefixesAreHandled() {
        StopStringFilter f = new StopStringFilter(List.of("aab"));
        assertEquals("", f.push("a"));
        assertEquals("", f.push("a"));
        assertEquals("a", f.push("a"));
        assertEquals("", f.push("b"));
        assertTrue(f.stopped());
    }

    @Test
    void surrogatePairsSurviveHoldBack() {
        StopStringFilter f = new StopStringFilter(List.of("😀!"));
        assertEquals("ok ", f.push("ok 😀"));
        assertEquals("😀?", f.push("?"));
        assertNull(f.matched());
    }

    @Test
    void emptyStopIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StopStringFilter(List.of("a", "")));
        assertTrue(e.getMessage().contains("stop strings must not be empty"), e.getMessage());
    }

    /**
     * Any split of any text gives exactly what a naive reference gives: the text up to the start
     * of the stop that ends first (longest on ties), or all of it.
     */
    @Test
    void anySplittingMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(42);
        String alphabet = "ab<>/";
        for (int round = 0; round < 5000; round++) {
            List<String> stops = new ArrayList<>();
            int nStops = rnd.nextInt(4) + 1;
            for (int i = 0; i < nStops; i++) {
                stops.add(randomString(rnd, alphabet, 1 + rnd.nextInt(4)));
            }
            String text = randomString(rnd, alphabet, rnd.nextInt(20));
            String expected = reference(text, stops);

            StopStringFilter f = new StopStringFilter(stops);
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < text.length() && !f.stopped()) {
                int n = 1 + rnd.nextInt(Math.min(5, text.length() - i));
                out.append(f.push(text.substring(i, i + n)));
                i += n;
            }
            if (!f.stopped()) {
                out.append(f.flush());
            }
            assertEquals(expected, out.toString(), "text=" + text + " stops=" + stops);
            assertEquals(containsAny(text, stops), f.stopped(), "stopped flag for " + text + " " + stops);
        }
    }

    private static boolean containsAny(String text, List<String> stops) {
        return stops.stream().anyMatch(text::contains);
    }

    private static String reference(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            String prefix = text.substring(0, end);
            int longest = 0;
            for (String s : stops) {
                if (prefix.endsWith(s)) {
                    longest = Math.max(longest, s.length());
                }
            }
            if (longest > 0) {
                return text.substring(0, end - longest);
            }
        }
        return text;
    }

    private static String randomString(SplittableRandom rnd, String alphabet, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
