package io.infernet.chat.template.jinja;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** C's {@code strftime} in the C locale (English names), for {@code strftime_now} and the date variables of llama-server. */
public final class Strftime {
    private Strftime() {}

    /** {@code format} with its {@code %} conversions replaced; an unknown conversion stays as written. */
    public static String format(String format, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char f = format.charAt(++i);
            switch (f) {
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'c' -> out.append(format("%a %b %e %H:%M:%S %Y", t));
                case 'C' -> pad(out, t.getYear() / 100, 2, '0');
                case 'd' -> pad(out, t.getDayOfMonth(), 2, '0');
                case 'D', 'x' -> out.append(format("%m/%d/%y", t));
                case 'e' -> pad(out, t.getDayOfMonth(), 2, ' ');
                case 'F' -> out.append(format("%Y-%m-%d", t));
                case 'g' -> pad(out, t.get(IsoFields.WEEK_BASED_YEAR) % 100, 2, '0');
                case 'G' -> out.append(t.get(IsoFields.WEEK_BASED_YEAR));
                case 'H' -> pad(out, t.getHour(), 2, '0');
                case 'I' -> pad(out, hour12(t), 2, '0');
                case 'j' -> pad(out, t.getDayOfYear(), 3, '0');
                case 'k' -> pad(out, t.getHour(), 2, ' ');
                case 'l' -> pad(out, hour12(t), 2, ' ');
                case 'm' -> pad(out, t.getMonthValue(), 2, '0');
                case 'M' -> pad(out, t.getMinute(), 2, '0');
                case 'n' -> out.append('\n');
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'P' -> out.append(t.getHour() < 12 ? "am" : "pm");
                case 'r' -> out.append(format("%I:%M:%S %p", t));
                case 'R' -> out.append(format("%H:%M", t));
                case 's' -> out.append(t.toEpochSecond());
                case 'S' -> pad(out, t.getSecond(), 2, '0');
                case 't' -> out.append('\t');
                case 'T', 'X' -> out.append(format("%H:%M:%S", t));
                case 'u' -> out.append(t.getDayOfWeek().getValue());
                case 'U' -> pad(out, (t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2, '0');
                case 'V' -> pad(out, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, '0');
                case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
                case 'W' -> pad(out, (t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2, '0');
                case 'y' -> pad(out, t.getYear() % 100, 2, '0');
                case 'Y' -> out.append(t.getYear());
                case 'z' -> {
                    int offset = t.getOffset().getTotalSeconds() / 60;
                    out.append(offset < 0 ? '-' : '+');
                    pad(out, Math.abs(offset) / 60, 2, '0');
                    pad(out, Math.abs(offset) % 60, 2, '0');
                }
                case 'Z' -> out.append(t.getZone().normalized().equals(ZoneOffset.UTC) ? "UTC" : t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> out.append('%');
                default -> out.append('%').append(f);
            }
        }
        return out.toString();
    }

    private static int hour12(ZonedDateTime t) {
        int h = t.get(ChronoField.CLOCK_HOUR_OF_AMPM);
        return h == 0 ? 12 : h;
    }

    private static void pad(StringBuilder out, long v, int width, char fill) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            out.append(fill);
        }
        out.append(s);
    }
}
