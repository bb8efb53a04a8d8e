package io.infernet.chat.template.jinja;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * String helpers with C semantics, as llama.cpp's engine has them: case changes and character
 * classes are ASCII-only (the C locale), indices and slices count UTF-8 bytes, numbers parse as
 * {@code strtol} and {@code strtod} do (the leading part that is a number).
 */
final class Strings {
    private Strings() {}

    static boolean hasAsciiUpper(String s) {
        return s.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
    }

    static boolean hasAsciiLower(String s) {
        return s.chars().anyMatch(c -> c >= 'a' && c <= 'z');
    }

    static char upper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 32) : c;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    static String upper(String s) {
        return eachChar(s, Strings::upper);
    }

    static String lower(String s) {
        return eachChar(s, Strings::lower);
    }

    private interface CharMap {
        char apply(char c);
    }

    /** {@code s} with {@code map} applied to each UTF-16 unit. */
    private static String eachChar(String s, CharMap map) {
        char[] cs = s.toCharArray();
        for (int i = 0; i < cs.length; i++) {
            cs[i] = map.apply(cs[i]);
        }
        return new String(cs);
    }

    /** Byte order of the UTF-8 forms, which is code point order. */
    static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Indices Python-style slicing picks from a sequence of {@code len}, with llama.cpp's
     * clamping; empty for a zero step.
     */
    static List<Integer> sliceIndices(long len, long start, long stop, long step) {
        List<Integer> out = new ArrayList<>();
        if (step == 0) {
            return out;
        }
        long from;
        long to;
        if (step > 0) {
            from = start < 0 ? Math.max(len + start, 0) : Math.min(start, len);
            to = stop < 0 ? Math.max(len + stop, 0) : Math.min(stop, len);
            for (long i = from; i < to; i += step) {
                out.add((int) i);
            }
        } else {
            from = start < 0 ? Math.max(len + start, 0) : Math.min(start, len - 1);
            to = stop < -1 ? Math.max(len + stop, -1) : Math.min(stop, len - 1);
            for (long i = from; i > to; i += step) {
                if (i >= 0 && i < len) {
                    out.add((int) i);
                }
            }
        }
        return out;
    }

    /** A slice of the UTF-8 bytes of {@code s}; a cut through a character leaves U+FFFD, where llama.cpp leaves the broken bytes. */
    static String byteSlice(String s, long start, long stop, long step) {
        if (Value.Str.isAscii(s)) {
            StringBuilder out = new StringBuilder();
            for (int i : sliceIndices(s.length(), start, stop, step)) {
                out.append(s.charAt(i));
            }
            return out.toString();
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        List<Integer> picked = sliceIndices(bytes.length, start, stop, step);
        byte[] out = new byte[picked.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = bytes[picked.get(k)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The index of the first character of {@code s} that is not leading whitespace, as {@code strtol} and {@code strtod} skip it. */
    private static int skipSpaces(String s) {
        int i = 0;
        while (i < s.length() && Lexer.isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** {@code std::stoi(s, nullptr, base)}: null when nothing parses or the value leaves the 32-bit range. */
    static Long parseInt(String s, int base) {
        int i = skipSpaces(s);
        int n = s.length();
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if ((base == 0 || base == 16) && i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && i + 2 < n && Character.digit(s.charAt(i + 2), 16) >= 0) {
            i += 2;
            base = 16;
        } else if (base == 0) {
            base = i < n && s.charAt(i) == '0' ? 8 : 10;
        }
        long value = 0;
        int digits = 0;
        while (i < n) {
            char c = s.charAt(i);
            int d = c < 0x80 ? Character.digit(c, base) : -1;
            if (d < 0) {
                break;
            }
            value = value * base + d;
            if (value > (long) Integer.MAX_VALUE + 1) {
                return null;
            }
            digits++;
            i++;
        }
        if (digits == 0) {
            return null;
        }
        value = negative ? -value : value;
        return value < Integer.MIN_VALUE || value > Integer.MAX_VALUE ? null : value;
    }

    /** {@code std::stod(s)}: the leading decimal, {@code inf} or {@code nan}; null when nothing parses or it overflows. */
    static Double parseDouble(String s) {
        int i = skipSpaces(s);
        int n = s.length();
        int start = i;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        String rest = s.substring(i).toLowerCase(java.util.Locale.ROOT);
        boolean negative = start < n && s.charAt(start) == '-';
        if (rest.startsWith("inf")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (rest.startsWith("nan")) {
            return Double.NaN;
        }
        int mantissa = i;
        while (i < n && Lexer.isDigit(s.charAt(i))) {
            i++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && Lexer.isDigit(s.charAt(i))) {
                i++;
            }
        }
        if (i == mantissa || (i == mantissa + 1 && s.charAt(mantissa) == '.')) {
            return null;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int e = i + 1;
            if (e < n && (s.charAt(e) == '+' || s.charAt(e) == '-')) {
                e++;
            }
            if (e < n && Lexer.isDigit(s.charAt(e))) {
                while (e < n && Lexer.isDigit(s.charAt(e))) {
                    e++;
                }
                i = e;
            }
        }
        double d = Double.parseDouble(s.substring(start, i));
        return Double.isInfinite(d) ? null : d;
    }
}
