package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides from a chat template's source which {@link OutputFormat} the model writes, by the
 * markers the template uses to render tool calls, reasoning and content. The checks run in a fixed
 * order, most specific first, the order llama.cpp's specialised handlers use where it has them.
 * Pure string tests: no rendering, no state.
 *
 * <p>llama.cpp at our pin decides differently for most templates: it renders the template with
 * probe messages and diffs the outputs (its "differential autoparser"), and has hand-written
 * parsers for about twenty families. The results agree on the call syntax for every template
 * both parse; {@code FORMATS.md} next to the tests has the table per corpus template.
 */
public final class FormatDetector {
    private FormatDetector() {}

    /** The format of a model with this template; {@link OutputFormat#CONTENT_ONLY} for a blank template. */
    public static OutputFormat detect(String source) {
        if (source == null || source.isBlank()) {
            return OutputFormat.CONTENT_ONLY;
        }
        ToolCallFormat tools = toolFormat(source);
        ReasoningSyntax reasoning = tools == ToolCallFormat.GPT_OSS ? null : reasoning(source);
        return OutputFormat.of(tools, reasoning, contentMarkers(source));
    }

    /** The tool-call family; {@link ToolCallFormat#GENERIC} when the template has no tool syntax of its own. */
    public static ToolCallFormat toolFormat(String s) {
        if (s.contains("<|channel|>")) {
            return ToolCallFormat.GPT_OSS;
        }
        if (s.contains(">>>all")) {
            return ToolCallFormat.FUNCTIONARY_V3_2;
        }
        if (s.contains("<|tool_calls_section_begin|>")) {
            return ToolCallFormat.KIMI_K2;
        }
        if (s.contains("<|open|>") && s.contains("<|close|>") && s.contains("<|end_of_msg|>")) {
            return ToolCallFormat.KIMI_K3;
        }
        if (s.contains("[TOOL_CALLS]")) {
            if (!s.contains("[ARGS]")) {
                return ToolCallFormat.MISTRAL_NEMO;
            }
            return s.contains("[CALL_ID]") ? ToolCallFormat.MISTRAL_CALL_ID : ToolCallFormat.MISTRAL_ARGS;
        }
        if (s.contains("dsml_token") && s.contains("DSML")) {
            return s.contains("function_calls") ? ToolCallFormat.DEEPSEEK_V3_2 : ToolCallFormat.DEEPSEEK_V4;
        }
        if (s.contains("'<|tool_call>call:'")) {
            return ToolCallFormat.GEMMA_4;
        }
        if (s.contains("]<]minimax[>[")) {
            return ToolCallFormat.MINIMAX_M3;
        }
        if (s.contains("<atem:function_calls>")) {
            return ToolCallFormat.MUSE_GLIMMER;
        }
        if (s.contains("<seed:tool_call>")) {
            return ToolCallFormat.SEED_OSS;
        }
        if (s.contains("<tool_call>") && s.contains("<function=") && s.contains("<parameter=")) {
            return ToolCallFormat.QWEN3_CODER;
        }
        if (s.contains("<minimax:tool_call>")) {
            return ToolCallFormat.MINIMAX_M2;
        }
        if (s.contains("<arg_key:opensource>") || (s.contains("':opensource'") && s.contains("arg_key"))) {
            return ToolCallFormat.HUNYUAN_3;
        }
        if (s.contains("<arg_key>")) {
            return ToolCallFormat.GLM_4_5;
        }
        if (s.contains("<function name=\"") && s.contains("<param name=\"")) {
            return ToolCallFormat.MINICPM5;
        }
        if (s.contains("<｜tool▁calls▁begin｜>")) {
            return s.contains("```json") ? ToolCallFormat.DEEPSEEK_R1 : ToolCallFormat.DEEPSEEK_V3_1;
        }
        if (s.contains("<function=")) {
            return ToolCallFormat.FUNCTIONARY_V3_1;
        }
        if (s.contains("<|START_ACTION|>")) {
            return ToolCallFormat.COMMAND_R7B;
        }
        if (s.contains("Action:") && s.contains("```json") && s.contains("tool_name")) {
            return ToolCallFormat.COMMAND_R_PLUS;
        }
        if (s.contains("<|tool_call|>")) {
            return ToolCallFormat.GRANITE_3;
        }
        if (s.contains("<TOOLCALL>")) {
            return ToolCallFormat.NEMOTRON_V2;
        }
        if (s.contains("<|tool_call_start|>") || s.contains("<|tool_list_start|>") || s.contains("List of tools: [")) {
            return ToolCallFormat.LFM2;
        }
        if (s.contains("<|tool_call:begin|>")) {
            return ToolCallFormat.SOLAR_OPEN;
        }
        if (s.contains("<|tools_prefix|>")) {
            return ToolCallFormat.APERTUS;
        }
        if (s.contains("<|function_call|>")) {
            return ToolCallFormat.GIGACHAT_3_1;
        }
        if (s.contains("<|role_sep|>") && s.contains("function call")) {
            return ToolCallFormat.GIGACHAT_3;
        }
        if (s.contains("functools[")) {
            return ToolCallFormat.FIREFUNCTION_V2;
        }
        if (s.contains("<tool_calls>")) {
            return ToolCallFormat.TOOL_CALLS_TAG;
        }
        if (s.contains("<tool_call>")) {
            return ToolCallFormat.HERMES;
        }
        if (s.contains("<|python_tag|>") || s.contains("\"name\": function name")) {
            return ToolCallFormat.LLAMA_3;
        }
        return ToolCallFormat.GENERIC;
    }

    /** The reasoning markers, or null. */
    public static ReasoningSyntax reasoning(String s) {
        if (s.contains("<seed:think>")) {
            return new ReasoningSyntax("<seed:think>", "</seed:think>");
        }
        if (s.contains("[THINK]")) {
            return new ReasoningSyntax("[THINK]", "[/THINK]");
        }
        if (s.contains("<|START_THINKING|>")) {
            return new ReasoningSyntax("<|START_THINKING|>", "<|END_THINKING|>");
        }
        if (s.contains("<think:opensource>") || (s.contains("':opensource'") && s.contains("<think{}>"))) {
            return new ReasoningSyntax("<think:opensource>", "</think:opensource>");
        }
        if (s.contains("Here are my reasoning steps:")) {
            return new ReasoningSyntax("Here are my reasoning steps:", "[BEGIN FINAL RESPONSE]");
        }
        if (s.contains("<|open|>think<|sep|>") || (s.contains("<|open|>") && s.contains("open_tag('think')"))) {
            return new ReasoningSyntax("<|open|>think<|sep|>", "<|close|>think<|sep|>");
        }
        if (s.contains("'<mm:think>'")) {
            return new ReasoningSyntax("<mm:think>", "</mm:think>");
        }
        if (s.contains("<|channel>thought")) {
            return new ReasoningSyntax("<|channel>thought", "<channel|>");
        }
        if (s.contains("<think>") || s.contains("</think>")) {
            return ReasoningSyntax.THINK;
        }
        return null;
    }

    /** Markers that wrap the content and are not part of it. */
    public static List<String> contentMarkers(String s) {
        List<String> markers = new ArrayList<>();
        if (s.contains("<|START_RESPONSE|>")) {
            markers.add("<|START_RESPONSE|>");
            markers.add("<|END_RESPONSE|>");
        } else if (s.contains("<|CHATBOT_TOKEN|>") && s.contains("<|END_OF_TURN_TOKEN|>") && !s.contains("<|START_TEXT|>")) {
            markers.add("<|CHATBOT_TOKEN|>");
            markers.add("<|END_OF_TURN_TOKEN|>");
        }
        if (s.contains("<|START_TEXT|>")) {
            markers.add("<|START_TEXT|>");
            markers.add("<|END_TEXT|>");
        }
        if (s.contains("<|open|>") && s.contains("open_tag('think' if thinking else 'response')")) {
            markers.add("<|open|>response<|sep|>");
            markers.add("<|close|>response<|sep|>");
        }
        if (s.contains("write your response between <response></response>")) {
            markers.add("<response>");
            markers.add("</response>");
        }
        return markers;
    }
}
