package io.infernet.chat.parse;

import io.infernet.chat.parse.CallSyntax.Part;
import io.infernet.chat.parse.CallSyntax.TaggedArguments;
import io.infernet.chat.parse.Dialect.Trigger;
import io.infernet.chat.parse.JsonCallReader.Layout;
import io.infernet.chat.parse.SequenceCallReader.Arguments;
import io.infernet.chat.parse.SequenceCallReader.Id;
import io.infernet.chat.parse.SequenceCallReader.Lit;
import io.infernet.chat.parse.SequenceCallReader.Name;
import io.infernet.chat.parse.SequenceCallReader.OptionalLit;
import io.infernet.chat.parse.TaggedCallReader.KeyEnd;

import java.util.List;
import java.util.function.Supplier;

import static io.infernet.chat.parse.CallSyntax.Slot.ARGUMENTS;
import static io.infernet.chat.parse.CallSyntax.Slot.ID;
import static io.infernet.chat.parse.CallSyntax.Slot.INDEX;
import static io.infernet.chat.parse.CallSyntax.Slot.NAME;
import static io.infernet.chat.parse.CallSyntax.lit;

/** The reader set-up and canonical {@link CallSyntax} of each {@link ToolCallFormat}. */
final class Dialects {
    private Dialects() {}

    private static final String NAME_ARGS_OPEN = "{\"name\": \"";
    private static final String NAME_ARGS_MID = "\", \"arguments\": ";

    static Dialect of(ToolCallFormat format) {
        return switch (format) {
            case NONE, GEMMA_4, KIMI_K3, MINIMAX_M3, MUSE_GLIMMER -> Dialect.NONE;
            case GENERIC -> new Dialect(List.of(new Trigger("{", true, List.of(GenericJsonReader::new))), List.of(), false, false,
                    new CallSyntax(List.of("{\"tool_call"), "{\"tool_calls\": [", jsonCall(NAME_ARGS_MID), ", ", "]}", null, null, true));
            case HERMES -> json(Trigger.of("<tool_call>", json(Layout.OBJECT, "</tool_call>")),
                    new CallSyntax(List.of("<tool_call>"), "", List.of(lit("<tool_call>\n" + NAME_ARGS_OPEN), NAME, lit(NAME_ARGS_MID),
                            ARGUMENTS, lit("}\n</tool_call>")), "\n", "", null, null, true));
            case QWEN3_CODER -> new Dialect(List.of(Trigger.of("<tool_call>",
                    tagged(new TaggedCallReader.Config("<function=", ">", "<parameter=", List.of(new KeyEnd(">", null)), "",
                            "</parameter>", List.of("</function>", "</tool_call>"), null, true)),
                    json(Layout.OBJECT, "</tool_call>")),
                    // some models leave out the first <tool_call>
                    Trigger.of("<function=", tagged(new TaggedCallReader.Config("", ">", "<parameter=", List.of(new KeyEnd(">", null)), "",
                            "</parameter>", List.of("</function>", "</tool_call>"), null, true)))), List.of(), true, false,
                    new CallSyntax(List.of("<tool_call>"), "", List.of(lit("<tool_call>\n<function="), NAME, lit(">\n"), ARGUMENTS,
                            lit("</function>\n</tool_call>")), "\n", "",
                            TaggedArguments.uniform("<parameter=", ">\n", "\n</parameter>\n", ""), null, true));
            case SEED_OSS -> json(Trigger.of("<seed:tool_call>",
                    tagged(new TaggedCallReader.Config("<function=", ">", "<parameter=", List.of(new KeyEnd(">", null)), "",
                            "</parameter>", List.of("</function>", "</seed:tool_call>"), null, false))),
                    new CallSyntax(List.of("<seed:tool_call>"), "", List.of(lit("<seed:tool_call>\n<function="), NAME, lit(">\n"),
                            ARGUMENTS, lit("</function>\n</seed:tool_call>")), "\n", "",
                            TaggedArguments.uniform("<parameter=", ">", "</parameter>\n", ""), null, true));
            case LLAMA_3 -> new Dialect(List.of(
                    Trigger.of("{", () -> new JsonCallReader(new JsonCallReader.Config(Layout.OBJECT, null, List.of(), true, false, false))),
                    Trigger.of("<|python_tag|>", () -> new BufferedCallReader(null))), List.of(), false, false,
                    new CallSyntax(List.of("{\"name\""), "", List.of(lit(NAME_ARGS_OPEN), NAME, lit("\", \"parameters\": "), ARGUMENTS,
                            lit("}")), "", "", null, null, false));
            case MISTRAL_NEMO -> json(Trigger.of("[TOOL_CALLS]",
                    () -> new JsonCallReader(new JsonCallReader.Config(Layout.ARRAY_OR_OBJECT, null, List.of(), false, false, true))),
                    new CallSyntax(List.of("[TOOL_CALLS]"), "[TOOL_CALLS][", List.of(lit(NAME_ARGS_OPEN), NAME, lit(NAME_ARGS_MID),
                            ARGUMENTS, lit(", \"id\": \""), ID, lit("\"}")), ", ", "]", null, "[a-zA-Z0-9]{9}", true));
            case MISTRAL_CALL_ID, MISTRAL_ARGS -> {
                Supplier<CallReader> withId = sequence(List.of(new Name(), new Lit("[CALL_ID]"), new Id(null), new Lit("[ARGS]"),
                        new Arguments()), null, null);
                Supplier<CallReader> withoutId = sequence(List.of(new Name(), new Lit("[ARGS]"), new Arguments()), null, null);
                boolean ids = format == ToolCallFormat.MISTRAL_CALL_ID;
                yield json(new Trigger("[TOOL_CALLS]", false, ids ? List.of(withId, withoutId) : List.of(withoutId, withId)),
                        new CallSyntax(List.of("[TOOL_CALLS]"), "", ids
                                ? List.of(lit("[TOOL_CALLS]"), NAME, lit("[CALL_ID]"), ID, lit("[ARGS]"), ARGUMENTS)
                                : List.of(lit("[TOOL_CALLS]"), NAME, lit("[ARGS]"), ARGUMENTS), "", "", null,
                                ids ? "[a-zA-Z0-9]{9}" : null, true));
            }
            case DEEPSEEK_R1 -> json(Trigger.of("<｜tool▁calls▁begin｜>", sequence(List.of(new Lit("<｜tool▁call▁begin｜>"),
                            new Lit("function"), new Lit("<｜tool▁sep｜>"), new Name(), new OptionalLit("```json"), new Arguments(),
                            new OptionalLit("```"), new Lit("<｜tool▁call▁end｜>")), "<｜tool▁call▁begin｜>", "<｜tool▁calls▁end｜>")),
                    new CallSyntax(List.of("<｜tool▁calls▁begin｜>"), "<｜tool▁calls▁begin｜>", List.of(
                            lit("<｜tool▁call▁begin｜>function<｜tool▁sep｜>"), NAME, lit("\n```json\n"), ARGUMENTS,
                            lit("\n```<｜tool▁call▁end｜>")), "\n", "<｜tool▁calls▁end｜>", null, null, true));
            case DEEPSEEK_V3_1 -> json(Trigger.of("<｜tool▁calls▁begin｜>", sequence(List.of(new Lit("<｜tool▁call▁begin｜>"),
                            new Name(), new Lit("<｜tool▁sep｜>"), new Arguments(), new Lit("<｜tool▁call▁end｜>")),
                            "<｜tool▁call▁begin｜>", "<｜tool▁calls▁end｜>")),
                    new CallSyntax(List.of("<｜tool▁calls▁begin｜>"), "<｜tool▁calls▁begin｜>", List.of(lit("<｜tool▁call▁begin｜>"), NAME,
                            lit("<｜tool▁sep｜>"), ARGUMENTS, lit("<｜tool▁call▁end｜>")), "", "<｜tool▁calls▁end｜>", null, null, true));
            case DEEPSEEK_V3_2, DEEPSEEK_V4 -> {
                String section = format == ToolCallFormat.DEEPSEEK_V3_2 ? "function_calls" : "tool_calls";
                String dsml = "｜DSML｜";
                yield json(Trigger.of("<" + dsml + section + ">", tagged(new TaggedCallReader.Config("<" + dsml + "invoke name=\"",
                                "\">", "<" + dsml + "parameter name=\"", List.of(new KeyEnd("\" string=\"true\">", ArgumentValues.Kind.STRING),
                                new KeyEnd("\" string=\"false\">", ArgumentValues.Kind.JSON), new KeyEnd("\">", null)), "",
                                "</" + dsml + "parameter>", List.of("</" + dsml + "invoke>"), "</" + dsml + section + ">", false))),
                        new CallSyntax(List.of("<" + dsml + section + ">"), "<" + dsml + section + ">\n", List.of(
                                lit("<" + dsml + "invoke name=\""), NAME, lit("\">\n"), ARGUMENTS, lit("</" + dsml + "invoke>\n")), "",
                                "</" + dsml + section + ">", new TaggedArguments("<" + dsml + "parameter name=\"", "\" string=\"true\">",
                                "</" + dsml + "parameter>\n", "\" string=\"false\">", "</" + dsml + "parameter>\n", ""), null, true));
            }
            case FUNCTIONARY_V3_1 -> new Dialect(List.of(
                    Trigger.of("<function=", sequence(List.of(new Name(), new Lit(">"), new Arguments(), new Lit("</function>")), null, null)),
                    Trigger.of("<|python_tag|>", () -> new BufferedCallReader(null))), List.of(), false, false,
                    new CallSyntax(List.of("<function="), "", List.of(lit("<function="), NAME, lit(">"), ARGUMENTS, lit("</function>")),
                            "", "", null, null, true));
            case FUNCTIONARY_V3_2 -> json(Trigger.of(">>>", FunctionaryV32Reader::new),
                    new CallSyntax(List.of(">>>"), "", List.of(NAME, lit("\n"), ARGUMENTS), ">>>", "", null, null, true));
            case COMMAND_R_PLUS -> json(Trigger.of("Action:",
                    () -> new JsonCallReader(new JsonCallReader.Config(Layout.ARRAY, "```json", List.of("```"), false, false, false))),
                    new CallSyntax(List.of("Action:"), "Action:\n```json\n[\n", jsonCall("\", \"parameters\": ", "{\"tool_name\": \""),
                            ",\n", "\n]\n```", null, null, true));
            case COMMAND_R7B -> json(Trigger.of("<|START_ACTION|>", json(Layout.ARRAY, "<|END_ACTION|>")),
                    new CallSyntax(List.of("<|START_ACTION|>"), "<|START_ACTION|>[\n    ", List.of(lit("{\"tool_call_id\": \""), INDEX,
                            lit("\", \"tool_name\": \""), NAME, lit("\", \"parameters\": "), ARGUMENTS, lit("}")), ",\n    ",
                            "\n]<|END_ACTION|>", null, null, true));
            case GRANITE_3 -> arrayFormat("<|tool_call|>", "<|tool_call|>[", "]", Layout.ARRAY_OR_OBJECT);
            case KIMI_K2 -> json(Trigger.of("<|tool_calls_section_begin|>", sequence(List.of(new Lit("<|tool_call_begin|>"),
                            new Id("functions."), new Lit("<|tool_call_argument_begin|>"), new Arguments(), new Lit("<|tool_call_end|>")),
                            "<|tool_call_begin|>", "<|tool_calls_section_end|>")),
                    new CallSyntax(List.of("<|tool_calls_section_begin|>"), "<|tool_calls_section_begin|>", List.of(
                            lit("<|tool_call_begin|>functions."), NAME, lit(":"), INDEX, lit("<|tool_call_argument_begin|>"), ARGUMENTS,
                            lit("<|tool_call_end|>")), "", "<|tool_calls_section_end|>", null, null, true));
            case GLM_4_5 -> new Dialect(List.of(Trigger.of("<tool_call>",
                    tagged(new TaggedCallReader.Config("", "", "<arg_key>", List.of(new KeyEnd("</arg_key>", null)), "<arg_value>",
                            "</arg_value>", List.of("</tool_call>"), null, false)),
                    json(Layout.OBJECT, "</tool_call>"))), List.of(), false, false,
                    new CallSyntax(List.of("<tool_call>"), "", List.of(lit("<tool_call>"), NAME, lit("\n"), ARGUMENTS, lit("</tool_call>")),
                            "\n", "", TaggedArguments.uniform("<arg_key>", "</arg_key>\n<arg_value>", "</arg_value>\n", ""), null, true));
            case HUNYUAN_3 -> json(Trigger.of("<tool_calls:opensource>",
                    tagged(new TaggedCallReader.Config("<tool_call:opensource>", "<tool_sep:opensource>", "<arg_key:opensource>",
                            List.of(new KeyEnd("</arg_key:opensource>", null)), "<arg_value:opensource>", "</arg_value:opensource>",
                            List.of("</tool_call:opensource>"), "</tool_calls:opensource>", false))),
                    new CallSyntax(List.of("<tool_calls:opensource>"), "<tool_calls:opensource>\n", List.of(lit("<tool_call:opensource>"),
                            NAME, lit("<tool_sep:opensource>\n"), ARGUMENTS, lit("</tool_call:opensource>\n")), "", "</tool_calls:opensource>",
                            TaggedArguments.uniform("<arg_key:opensource>", "</arg_key:opensource>\n<arg_value:opensource>",
                                    "</arg_value:opensource>\n", ""), null, true));
            case GPT_OSS -> new Dialect(List.of(), List.of(), false, true,
                    new CallSyntax(List.of(" to=functions.", "<|channel|>commentary to=functions."), "", List.of(
                            lit("<|channel|>commentary to=functions."), NAME, lit(" <|constrain|>json<|message|>"), ARGUMENTS),
                            "", "", null, null, false));
            case MINIMAX_M2 -> json(Trigger.of("<minimax:tool_call>",
                    tagged(new TaggedCallReader.Config("<invoke name=\"", "\">", "<parameter name=\"", List.of(new KeyEnd("\">", null)),
                            "", "</parameter>", List.of("</invoke>"), "</minimax:tool_call>", false))),
                    new CallSyntax(List.of("<minimax:tool_call>"), "<minimax:tool_call>\n", List.of(lit("<invoke name=\""), NAME,
                            lit("\">\n"), ARGUMENTS, lit("</invoke>\n")), "", "</minimax:tool_call>",
                            TaggedArguments.uniform("<parameter name=\"", "\">", "</parameter>\n", ""), null, true));
            case TOOL_CALLS_TAG -> json(Trigger.of("<tool_calls>",
                    () -> new JsonCallReader(new JsonCallReader.Config(Layout.ARRAY, null, List.of("</tool_calls>"), false, false, true)),
                    () -> new JsonCallReader(new JsonCallReader.Config(Layout.OBJECTS, null, List.of("</tool_calls>"), false, false, true))),
                    new CallSyntax(List.of("<tool_calls>"), "<tool_calls>[", jsonCall(NAME_ARGS_MID), ", ", "]</tool_calls>", null, null, true));
            case NEMOTRON_V2 -> arrayFormat("<TOOLCALL>", "<TOOLCALL>[", "]</TOOLCALL>", Layout.ARRAY);
            case FIREFUNCTION_V2 -> arrayFormat("functools", " functools[", "]", Layout.ARRAY);
            case APERTUS -> json(Trigger.of("<|tools_prefix|>",
                    () -> new JsonCallReader(new JsonCallReader.Config(Layout.ARRAY_OR_OBJECT, null, List.of("<|tools_suffix|>"), false, true, false))),
                    new CallSyntax(List.of("<|tools_prefix|>"), "<|tools_prefix|>[", List.of(lit("{\""), NAME, lit("\": "), ARGUMENTS, lit("}")),
                            ", ", "]<|tools_suffix|>", null, null, true));
            case GIGACHAT_3_1 -> json(Trigger.of("<|function_call|>", json(Layout.OBJECT)),
                    new CallSyntax(List.of("<|function_call|>"), "", List.of(lit("<|function_call|>" + NAME_ARGS_OPEN), NAME, lit(NAME_ARGS_MID),
                            ARGUMENTS, lit("}")), "", "", null, null, false));
            case GIGACHAT_3 -> new Dialect(List.of(Trigger.of("function call<|role_sep|>", json(Layout.OBJECT))), List.of("<|message_sep|>"),
                    false, false, new CallSyntax(List.of("function call<|role_sep|>"), "", List.of(lit("<|message_sep|>\n\nfunction call<|role_sep|>\n"
                            + NAME_ARGS_OPEN), NAME, lit(NAME_ARGS_MID), ARGUMENTS, lit("}")), "", "", null, null, false));
            case LFM2 -> json(Trigger.of("<|tool_call_start|>", () -> new BufferedCallReader("<|tool_call_end|>")),
                    new CallSyntax(List.of("<|tool_call_start|>"), "<|tool_call_start|>[", List.of(NAME, lit("("), ARGUMENTS, lit(")")), ", ",
                            "]<|tool_call_end|>", new TaggedArguments("", "=\"", "\"", "=", "", ", "), null, true));
            case SOLAR_OPEN -> new Dialect(List.of(Trigger.of("<|tool_calls|>", sequence(List.of(new Lit("<|tool_call:begin|>"), new Id(null),
                            new Lit("<|tool_call:name|>"), new Name(), new Lit("<|tool_call:args|>"), new Arguments(), new Lit("<|tool_call:end|>")),
                            "<|tool_call:begin|>", "<|calls|>"))), List.of("<|content|>"), false, false,
                    new CallSyntax(List.of("<|tool_calls|>"), "<|tool_calls|>", List.of(lit("<|tool_call:begin|>"), ID, lit("<|tool_call:name|>"),
                            NAME, lit("<|tool_call:args|>"), ARGUMENTS, lit("<|tool_call:end|>")), "", "<|calls|>", null, "[A-Za-z0-9_]{1,40}", true));
            case MINICPM5 -> json(Trigger.of("<function name=\"",
                    tagged(new TaggedCallReader.Config("", "\">", "<param name=\"", List.of(new KeyEnd("\">", null)), "", "</param>",
                            List.of("</function>"), null, false))),
                    new CallSyntax(List.of("<function name=\""), "", List.of(lit("<function name=\""), NAME, lit("\">"), ARGUMENTS,
                            lit("</function>")), "\n", "", TaggedArguments.uniform("<param name=\"", "\">", "</param>", ""), null, true));
        };
    }

    /** A format with one trigger and no other markers. */
    private static Dialect json(Trigger trigger, CallSyntax syntax) {
        return new Dialect(List.of(trigger), List.of(), false, false, syntax);
    }

    private static Dialect arrayFormat(String trigger, String prefix, String suffix, Layout layout) {
        String close = suffix.substring(1);
        return json(Trigger.of(trigger, () -> new JsonCallReader(new JsonCallReader.Config(layout, null,
                        close.isEmpty() ? List.of() : List.of(close), false, false, false))),
                new CallSyntax(List.of(trigger), prefix, jsonCall(NAME_ARGS_MID), ", ", suffix, null, null, true));
    }

    private static Supplier<CallReader> json(Layout layout, String... close) {
        return () -> new JsonCallReader(new JsonCallReader.Config(layout, null, List.of(close), false, false, false));
    }

    private static Supplier<CallReader> tagged(TaggedCallReader.Config config) {
        return () -> new TaggedCallReader(config);
    }

    private static Supplier<CallReader> sequence(List<SequenceCallReader.Part> parts, String nextCall, String sectionEnd) {
        SequenceCallReader.Config config = new SequenceCallReader.Config(parts, nextCall, sectionEnd);
        return () -> new SequenceCallReader(config);
    }

    private static List<Part> jsonCall(String middle) {
        return jsonCall(middle, NAME_ARGS_OPEN);
    }

    private static List<Part> jsonCall(String middle, String open) {
        return List.of(lit(open), NAME, lit(middle), ARGUMENTS, lit("}"));
    }
}
