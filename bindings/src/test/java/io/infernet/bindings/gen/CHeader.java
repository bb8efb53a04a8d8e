package io.infernet.bindings.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a C parser for llama.h and ggml's headers: typedefs, plain structs and
 * function declarations, after comments and preprocessor lines are removed. It knows the C
 * subset these headers use for the parts we bind (scalars, enums, pointers, function pointers,
 * structs by value); anything else is reported, never guessed.
 */
public final class CHeader {

    /** A C type reduced to what the ABI cares about. */
    public sealed interface CType {
        /** A scalar: its name is one of bool, char, i8, i16, i32, i64, f32, f64. */
        record Scalar(String kind) implements CType {}

        record Pointer() implements CType {}

        record Void() implements CType {}

        /** A struct passed or embedded by value. */
        record Struct(String name) implements CType {}

        /** A fixed-size array field ({@code bool cpumask[GGML_MAX_N_THREADS]}). */
        record Array(CType element, long length) implements CType {}
    }

    public record Param(String name, CType type, String cText) {}

    public record Function(String name, CType ret, List<Param> params, String cText) {}

    public record Field(String name, CType type) {}

    public record StructDef(String name, List<Field> fields) {}

    private final Map<String, CType> typedefs = new HashMap<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, StructDef> structs = new LinkedHashMap<>();
    /** {@code #define NAME <integer>} of the headers, for array lengths. */
    private final Map<String, Long> defines = new HashMap<>();
    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#\\s*define\\s+(\\w+)\\s+\\(?(\\d+)\\)?\\s*$");

    /** Parses the headers in order; later headers see earlier typedefs. */
    public static CHeader parse(List<Path> headers) throws IOException {
        CHeader h = new CHeader();
        List<String> texts = new ArrayList<>();
        for (Path p : headers) {
            String raw = Files.readString(p);
            Matcher d = DEFINE.matcher(raw);
            while (d.find()) {
                h.defines.put(d.group(1), Long.parseLong(d.group(2)));
            }
            texts.add(clean(raw));
        }
        for (String t : texts) {
            h.collectTypedefs(t);
        }
        for (String t : texts) {
            h.collectStructs(t);
            h.collectFunctions(t);
        }
        return h;
    }

    public Function function(String name) {
        Function f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no declaration of " + name + " in the headers");
        }
        return f;
    }

    public StructDef struct(String name) {
        StructDef s = structs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no definition of struct " + name + " in the headers");
        }
        return s;
    }

    // --- cleaning -------------------------------------------------------------------------

    static String clean(String src) {
        String s = src.replaceAll("(?s)/\\*.*?\\*/", " ");
        s = s.replaceAll("//[^\n]*", " ");
        StringBuilder out = new StringBuilder();
        boolean continued = false;
        for (String line : s.split("\n")) {
            boolean pre = continued || line.stripLeading().startsWith("#");
            continued = pre && line.stripTrailing().endsWith("\\");
            if (!pre) {
                out.append(line).append('\n');
            }
        }
        s = out.toString();
        s = s.replace("extern \"C\" {", " ");
        s = unwrapDeprecated(s);
        s = s.replaceAll("\\b(LLAMA_API|GGML_API|GGML_BACKEND_API|GGML_RESTRICT)\\b", " ");
        return s.replaceAll("\\s+", " ");
    }

    /** {@code DEPRECATED(decl, "hint")} becomes {@code decl}. */
    private static String unwrapDeprecated(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int at = s.indexOf("DEPRECATED(", i);
            if (at < 0) {
                out.append(s, i, s.length());
                return out.toString();
            }
            out.append(s, i, at);
            int depth = 0;
            int j = at + "DEPRECATED(".length();
            int start = j;
            int comma = -1;
            for (; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    comma = j;
                }
            }
            out.append(s, start, comma < 0 ? j : comma);
            i = j + 1;
        }
    }

    // --- typedefs -------------------------------------------------------------------------

    private static final Pattern FN_PTR_TYPEDEF = Pattern.compile("typedef [^;()]*\\( ?\\* ?(\\w+) ?\\) ?\\([^;]*\\) ?;");
    private static final Pattern PTR_TYPEDEF = Pattern.compile("typedef (?:const )?(?:struct )?\\w+ ?\\* ?(\\w+) ?;");
    private static final Pattern SCALAR_TYPEDEF = Pattern.compile("typedef ((?:unsigned |signed )?\\w+) (\\w+) ?;");

    private void collectTypedefs(String t) {
        Matcher m = FN_PTR_TYPEDEF.matcher(t);
        while (m.find()) {
            typedefs.put(m.group(1), new CType.Pointer());
        }
        m = PTR_TYPEDEF.matcher(t);
        while (m.find()) {
            typedefs.put(m.group(1), new CType.Pointer());
        }
        m = SCALAR_TYPEDEF.matcher(t);
        while (m.find()) {
            CType base = scalar(m.group(1));
            if (base != null) {
                typedefs.put(m.group(2), base);
            }
        }
    }

    private CType scalar(String name) {
        return switch (name) {
            case "bool", "_Bool" -> new CType.Scalar("bool");
            case "char", "signed char", "unsigned char" -> new CType.Scalar("char");
            case "int8_t", "uint8_t" -> new CType.Scalar("i8");
            case "int16_t", "uint16_t" -> new CType.Scalar("i16");
            case "int", "unsigned", "unsigned int", "int32_t", "uint32_t" -> new CType.Scalar("i32");
            case "int64_t", "uint64_t", "size_t", "long long", "unsigned long long" -> new CType.Scalar("i64");
            case "float" -> new CType.Scalar("f32");
            case "double" -> new CType.Scalar("f64");
            case "void" -> new CType.Void();
            default -> typedefs.get(name);
        };
    }

    /** Resolves a declaration's type text (without the declared name). */
    CType resolve(String typeText) {
        String t = typeText.replace("const ", " ").replace(" const", " ").trim().replaceAll("\\s+", " ");
        if (t.contains("*") || t.contains("[")) {
            return new CType.Pointer();
        }
        if (t.startsWith("enum ")) {
            return new CType.Scalar("i32");
        }
        if (t.startsWith("struct ")) {
            return new CType.Struct(t.substring("struct ".length()).trim());
        }
        CType s = scalar(t);
        if (s == null) {
            // A typedef of a struct by value (typedef struct X {...} X;) resolves to the struct.
            if (structs.containsKey(t)) {
                return new CType.Struct(t);
            }
            throw new IllegalArgumentException("unknown C type '" + typeText + "'");
        }
        return s;
    }

    // --- structs --------------------------------------------------------------------------

    private static final Pattern ARRAY_FIELD = Pattern.compile("(.+?) ?(\\w+) ?\\[ ?(\\w+) ?\\]");
    private static final Pattern STRUCT = Pattern.compile("(typedef )?struct (\\w+) ?\\{([^{}]*)\\} ?(\\w*) ?;");

    private void collectStructs(String t) {
        Matcher m = STRUCT.matcher(t);
        while (m.find()) {
            String name = m.group(2);
            List<Field> fields = new ArrayList<>();
            boolean ok = true;
            for (String decl : m.group(3).split(";")) {
                decl = decl.trim();
                if (decl.isEmpty()) {
                    continue;
                }
                int split = Math.max(decl.lastIndexOf(' '), decl.lastIndexOf('*'));
                String fname = decl.substring(split + 1).trim();
                String ftype = decl.substring(0, split + 1).trim();
                try {
                    if (fname.contains("[")) {
                        Matcher a = ARRAY_FIELD.matcher(decl);
                        Long n = a.matches() ? (a.group(3).matches("\\d+") ? Long.valueOf(a.group(3)) : defines.get(a.group(3))) : null;
                        if (n == null) {
                            ok = false; // an array length we cannot resolve: the struct is not offered
                            break;
                        }
                        fields.add(new Field(a.group(2), new CType.Array(resolve(a.group(1)), n)));
                        continue;
                    }
                    fields.add(new Field(fname, resolve(ftype)));
                } catch (IllegalArgumentException e) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                structs.put(name, new StructDef(name, fields));
            }
        }
    }

    // --- functions ------------------------------------------------------------------------

    private static final Pattern FUNCTION = Pattern.compile("([\\w ]+?(?: ?\\* ?)*)\\b(\\w+) ?\\(([^()]*)\\) ?;");

    private void collectFunctions(String t) {
        for (String stmt : t.split("(?<=;)")) {
            Matcher m = FUNCTION.matcher(stmt.trim());
            if (!m.matches()) {
                continue;
            }
            String retText = m.group(1).trim();
            if (retText.startsWith("typedef") || retText.isEmpty()) {
                continue;
            }
            String name = m.group(2);
            try {
                CType ret = resolve(retText);
                List<Param> params = new ArrayList<>();
                String plist = m.group(3).trim();
                if (!plist.isEmpty() && !plist.equals("void")) {
                    for (String p : plist.split(",")) {
                        p = p.trim();
                        int split = Math.max(p.lastIndexOf(' '), p.lastIndexOf('*'));
                        String pname = p.substring(split + 1).trim();
                        String ptype = p.substring(0, split + 1).trim();
                        if (ptype.isEmpty()) {
                            ptype = pname;
                            pname = "arg" + params.size();
                        }
                        params.add(new Param(pname, resolve(ptype), p));
                    }
                }
                functions.putIfAbsent(name, new Function(name, ret, params, stmt.trim()));
            } catch (IllegalArgumentException e) {
                // a declaration using types we do not bind (FILE *, ...) simply is not offered
            }
        }
    }
}
