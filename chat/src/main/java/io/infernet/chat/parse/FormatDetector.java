package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides from a chat template's source which {@link OutputFormat} the model writes, by the
 * markers the template uses to render tool calls, reasoning and content. The checks run in a fixed
 * order, most specific first, the order llama.cpp's specialised handlers use where it has them.
 * Pure string tests: no rendering, no state.
 *
 * <p>llama.cpp at our pin decides differently: it renders the template with probe messages and
 * diffs the outputs (its "differential autoparser", "auto" below, with the tool mode and markers it
 * found), or sends the template to one of its hand-written handlers. Per corpus template (the
 * pin's {@code models/templates/}; {@code TemplateCorpusTest} keeps this in step, and
 * {@code docs/chat-formats.md} has the reasoning markers too):
 *
 * <pre>{@code
 * template                                       ours              llama.cpp at the pin
 * Apertus-8B-Instruct                            APERTUS           auto JSON_NATIVE <|tools_prefix|>
 * Apriel-1.6-15b-Thinker-fixed                   TOOL_CALLS_TAG    auto JSON_NATIVE <tool_calls>
 * Bielik-11B-v3.0-Instruct                       HERMES            auto JSON_NATIVE <tool_call>\n
 * ByteDance-Seed-OSS                             SEED_OSS          auto TAG_WITH_TAGGED <seed:tool_call>\n <func~
 * Cohere2MoE                                     COMMAND_R7B       handler: Cohere2 MoE
 * CohereForAI-c4ai-command-r-plus-tool_use       COMMAND_R_PLUS    auto JSON_NATIVE Action:\n```json\n
 * CohereForAI-c4ai-command-r7b-12-2024-tool_use  COMMAND_R7B       auto JSON_NATIVE <|START_ACTION|>
 * deepseek-ai-DeepSeek-R1-Distill-Llama-8B       DEEPSEEK_R1       auto NONE <｜tool▁calls▁begin｜> <｜tool▁call▁be~
 * deepseek-ai-DeepSeek-R1-Distill-Qwen-32B       DEEPSEEK_R1       auto TAG_WITH_JSON <｜tool▁calls▁begin｜> <｜too~
 * deepseek-ai-DeepSeek-V3.1                      DEEPSEEK_V3_1     auto TAG_WITH_JSON <｜tool▁calls▁begin｜> <｜too~
 * deepseek-ai-DeepSeek-V3.2                      DEEPSEEK_V3_2     handler: DeepSeek V3.2/V4
 * deepseek-ai-DeepSeek-V4                        DEEPSEEK_V4       handler: DeepSeek V3.2/V4
 * deepseek-ai-DeepSeek-V4-Flash-0731             DEEPSEEK_V4       handler: DeepSeek V3.2/V4
 * fireworks-ai-llama-3-firefunction-v2           FIREFUNCTION_V2   auto JSON_NATIVE functools
 * GigaChat3-10B-A1.8B                            GIGACHAT_3        handler: GigaChatV3
 * GigaChat3.1-10B-A1.8B                          GIGACHAT_3_1      auto JSON_NATIVE <|function_call|>
 * GLM-4.6                                        GLM_4_5           auto TAG_WITH_TAGGED <tool_call> \n <arg_key>
 * GLM-4.7-Flash                                  GLM_4_5           auto TAG_WITH_TAGGED <tool_call> <arg_key>
 * google-gemma-2-2b-it                           GENERIC           auto NONE
 * google-gemma-4-31B-it                          GEMMA_4           handler: Gemma4
 * google-gemma-4-31B-it-interleaved              GEMMA_4           handler: Gemma4
 * HuggingFaceTB-SmolLM3-3B                       GENERIC           auto NONE
 * ibm-granite-granite-3.3-2B-Instruct            GRANITE_3         auto NONE
 * ibm-granite-granite-4.0                        HERMES            auto JSON_NATIVE <tool_call>\n
 * ibm-granite-granite-4.1                        HERMES            auto JSON_NATIVE <tool_call>\n
 * inclusionai-ling-3.0-flash                     GLM_4_5           handler: Ling 3.0 (Bailing V3)
 * Kimi-K2-Instruct                               KIMI_K2           handler: Kimi K2 Thinking
 * Kimi-K2-Thinking                               KIMI_K2           handler: Kimi K2 Thinking
 * Kimi-K3                                        KIMI_K3           handler: Kimi K3
 * LFM2-8B-A1B                                    LFM2              handler: LFM2
 * LFM2.5-8B-A1B                                  LFM2              handler: LFM2.5
 * LFM2.5-Instruct                                LFM2              handler: LFM2.5
 * llama-cpp-deepseek-r1                          DEEPSEEK_R1       auto TAG_WITH_JSON <｜tool▁calls▁begin｜> <｜too~
 * llama-cpp-rwkv-world                           GENERIC           auto NONE
 * meetkai-functionary-medium-v3.1                FUNCTIONARY_V3_1  auto TAG_WITH_JSON <function= >
 * meetkai-functionary-medium-v3.2                FUNCTIONARY_V3_2  handler: Functionary v3.2
 * meta-llama-Llama-3.1-8B-Instruct               LLAMA_3           auto JSON_NATIVE
 * meta-llama-Llama-3.2-3B-Instruct               LLAMA_3           auto JSON_NATIVE
 * meta-llama-Llama-3.3-70B-Instruct              LLAMA_3           auto JSON_NATIVE
 * microsoft-Phi-3.5-mini-instruct                GENERIC           auto NONE
 * MiMo-VL                                        HERMES            auto JSON_NATIVE <tool_call>\n
 * MiniMax-M1                                     TOOL_CALLS_TAG    auto JSON_NATIVE <tool_calls>\n
 * MiniMax-M2                                     MINIMAX_M2        auto TAG_WITH_TAGGED <minimax:tool_call>\n <i~
 * MiniMax-M3                                     MINIMAX_M3        handler: MiniMax-M3
 * Mistral-Small-3.2-24B-Instruct-2506            MISTRAL_CALL_ID   auto TAG_WITH_JSON [TOOL_CALLS]
 * mistralai-Ministral-3-14B-Reasoning-2512       MISTRAL_ARGS      handler: Ministral/Magistral Large 3
 * mistralai-Mistral-Nemo-Instruct-2407           MISTRAL_NEMO      auto JSON_NATIVE [TOOL_CALLS]
 * moonshotai-Kimi-K2                             KIMI_K2           handler: Kimi K2 Thinking
 * muse-glimmer                                   MUSE_GLIMMER      handler: Muse Glimmer
 * NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use  HERMES            auto JSON_NATIVE <tool_call>\n
 * NousResearch-Hermes-3-Llama-3.1-8B-tool_use    HERMES            auto JSON_NATIVE <tool_call>\n
 * NVIDIA-Nemotron-3-Nano-30B-A3B-BF16            QWEN3_CODER       handler: Qwen3-Coder
 * NVIDIA-Nemotron-Nano-v2                        NEMOTRON_V2       auto JSON_NATIVE <TOOLCALL>
 * openai-gpt-oss-120b                            GPT_OSS           handler: GPT-OSS
 * openbmb-MiniCPM5-1B                            MINICPM5          handler: MiniCPM5
 * poolside-Laguna-S-2.1                          GLM_4_5           auto TAG_WITH_TAGGED <tool_call> <arg_key>
 * poolside-Laguna-XS-2.1                         GLM_4_5           auto TAG_WITH_TAGGED <tool_call> \n <arg_key>
 * poolside-Laguna-XS.2                           GLM_4_5           auto TAG_WITH_TAGGED <tool_call> \n <arg_key>
 * Qwen-Qwen2.5-7B-Instruct                       HERMES            auto JSON_NATIVE <tool_call>\n
 * Qwen-Qwen3-0.6B                                HERMES            auto JSON_NATIVE <tool_call>\n
 * Qwen-QwQ-32B                                   HERMES            auto JSON_NATIVE <tool_call>\n
 * Qwen3-Coder                                    QWEN3_CODER       handler: Qwen3-Coder
 * Qwen3.5-4B                                     QWEN3_CODER       handler: Qwen3-Coder
 * Reka-Edge                                      HERMES            auto JSON_NATIVE <tool_call>\n
 * Spark2.5                                       GLM_4_5           auto TAG_WITH_TAGGED <tool_call> <arg_key>
 * StepFun3.5-Flash                               QWEN3_CODER       handler: Qwen3-Coder
 * tencent-Hy3                                    HUNYUAN_3         auto TAG_WITH_TAGGED <tool_calls:opensource>\~
 * unsloth-Apriel-1.5                             TOOL_CALLS_TAG    auto JSON_NATIVE <tool_calls>
 * unsloth-mistral-Devstral-Small-2507            MISTRAL_ARGS      handler: Ministral/Magistral Large 3
 * upstage-Solar-Open-100B                        SOLAR_OPEN        auto TAG_WITH_JSON <|tool_calls|> <|tool_call~
 * }</pre>
 *
 * <p>Where the two differ: llama.cpp parses no tool calls for Gemma 2, Phi-3.5, SmolLM3 and the
 * RWKV template (their templates cannot render tools), where we offer the generic JSON format;
 * nor for Granite 3.3 and DeepSeek-R1-Distill-Llama, whose templates only describe their syntax
 * in text, which we parse. Gemma 4, Kimi-K3, MiniMax-M3 and Muse Glimmer have llama.cpp handlers;
 * we recognise them (and their reasoning) but leave their calls in the content.
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
        return Rule.first(TOOL_RULES, s, ToolCallFormat.GENERIC);
    }

    /** The reasoning markers, or null. */
    public static ReasoningSyntax reasoning(String s) {
        return Rule.first(REASONING_RULES, s, null);
    }

    /** The tool-call checks in order, most specific first: the first that matches decides. */
    private static final List<Rule<ToolCallFormat>> TOOL_RULES = List.of(
            Rule.any(ToolCallFormat.GPT_OSS, "<|channel|>"),
            Rule.any(ToolCallFormat.FUNCTIONARY_V3_2, ">>>all"),
            Rule.any(ToolCallFormat.KIMI_K2, "<|tool_calls_section_begin|>"),
            Rule.all(ToolCallFormat.KIMI_K3, "<|open|>", "<|close|>", "<|end_of_msg|>"),
            new Rule<>(s -> s.contains("[TOOL_CALLS]"), s -> !s.contains("[ARGS]") ? ToolCallFormat.MISTRAL_NEMO
                    : s.contains("[CALL_ID]") ? ToolCallFormat.MISTRAL_CALL_ID : ToolCallFormat.MISTRAL_ARGS),
            new Rule<>(s -> s.contains("dsml_token") && s.contains("DSML"),
                    s -> s.contains("function_calls") ? ToolCallFormat.DEEPSEEK_V3_2 : ToolCallFormat.DEEPSEEK_V4),
            Rule.any(ToolCallFormat.GEMMA_4, "'<|tool_call>call:'"),
            Rule.any(ToolCallFormat.MINIMAX_M3, "]<]minimax[>["),
            Rule.any(ToolCallFormat.MUSE_GLIMMER, "<atem:function_calls>"),
            Rule.any(ToolCallFormat.SEED_OSS, "<seed:tool_call>"),
            Rule.all(ToolCallFormat.QWEN3_CODER, "<tool_call>", "<function=", "<parameter="),
            Rule.any(ToolCallFormat.MINIMAX_M2, "<minimax:tool_call>"),
            new Rule<>(s -> s.contains("<arg_key:opensource>") || (s.contains("':opensource'") && s.contains("arg_key")),
                    s -> ToolCallFormat.HUNYUAN_3),
            Rule.any(ToolCallFormat.GLM_4_5, "<arg_key>"),
            Rule.all(ToolCallFormat.MINICPM5, "<function name=\"", "<param name=\""),
            new Rule<>(s -> s.contains("<｜tool▁calls▁begin｜>"), s -> s.contains("```json") ? ToolCallFormat.DEEPSEEK_R1 : ToolCallFormat.DEEPSEEK_V3_1),
            Rule.any(ToolCallFormat.FUNCTIONARY_V3_1, "<function="),
            Rule.any(ToolCallFormat.COMMAND_R7B, "<|START_ACTION|>"),
            Rule.all(ToolCallFormat.COMMAND_R_PLUS, "Action:", "```json", "tool_name"),
            Rule.any(ToolCallFormat.GRANITE_3, "<|tool_call|>"),
            Rule.any(ToolCallFormat.NEMOTRON_V2, "<TOOLCALL>"),
            Rule.any(ToolCallFormat.LFM2, "<|tool_call_start|>", "<|tool_list_start|>", "List of tools: ["),
            Rule.any(ToolCallFormat.SOLAR_OPEN, "<|tool_call:begin|>"),
            Rule.any(ToolCallFormat.APERTUS, "<|tools_prefix|>"),
            Rule.any(ToolCallFormat.GIGACHAT_3_1, "<|function_call|>"),
            Rule.all(ToolCallFormat.GIGACHAT_3, "<|role_sep|>", "function call"),
            Rule.any(ToolCallFormat.FIREFUNCTION_V2, "functools["),
            Rule.any(ToolCallFormat.TOOL_CALLS_TAG, "<tool_calls>"),
            Rule.any(ToolCallFormat.HERMES, "<tool_call>"),
            Rule.any(ToolCallFormat.LLAMA_3, "<|python_tag|>", "\"name\": function name"));

    /** The reasoning checks in order: the first that matches decides. */
    private static final List<Rule<ReasoningSyntax>> REASONING_RULES = List.of(
            Rule.any(new ReasoningSyntax("<seed:think>", "</seed:think>"), "<seed:think>"),
            Rule.any(new ReasoningSyntax("[THINK]", "[/THINK]"), "[THINK]"),
            Rule.any(new ReasoningSyntax("<|START_THINKING|>", "<|END_THINKING|>"), "<|START_THINKING|>"),
            new Rule<>(s -> s.contains("<think:opensource>") || (s.contains("':opensource'") && s.contains("<think{}>")),
                    s -> new ReasoningSyntax("<think:opensource>", "</think:opensource>")),
            Rule.any(new ReasoningSyntax("Here are my reasoning steps:", "[BEGIN FINAL RESPONSE]"), "Here are my reasoning steps:"),
            new Rule<>(s -> s.contains("<|open|>think<|sep|>") || (s.contains("<|open|>") && s.contains("open_tag('think')")),
                    s -> new ReasoningSyntax("<|open|>think<|sep|>", "<|close|>think<|sep|>")),
            Rule.any(new ReasoningSyntax("<mm:think>", "</mm:think>"), "'<mm:think>'"),
            Rule.any(new ReasoningSyntax("<|channel>thought", "<channel|>"), "<|channel>thought"),
            Rule.any(ReasoningSyntax.THINK, "<think>", "</think>"));

    /** One row of a detection table: a test on the template's source, and what a match detects (which may look further). */
    private record Rule<T>(Predicate<String> matches, Function<String, T> detected) {

        /** {@code result} when the source contains any of {@code markers}. */
        static <T> Rule<T> any(T result, String... markers) {
            return new Rule<>(s -> Arrays.stream(markers).anyMatch(s::contains), s -> result);
        }

        /** {@code result} when the source contains all of {@code markers}. */
        static <T> Rule<T> all(T result, String... markers) {
            return new Rule<>(s -> Arrays.stream(markers).allMatch(s::contains), s -> result);
        }

        /** What the first matching rule detects in {@code s}, else {@code otherwise}. */
        static <T> T first(List<Rule<T>> rules, String s, T otherwise) {
            for (Rule<T> r : rules) {
                if (r.matches.test(s)) {
                    return r.detected.apply(s);
                }
            }
            return otherwise;
        }
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
