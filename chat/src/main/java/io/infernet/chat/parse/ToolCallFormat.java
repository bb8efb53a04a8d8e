package io.infernet.chat.parse;

/**
 * The tool-call syntax families found in the chat templates of the llama.cpp corpus. Each names
 * the canonical form; {@link CallSyntax} holds it as data and the parser accepts its variations.
 * The last four are recognised but their calls are not parsed (they stay content).
 */
public enum ToolCallFormat {
    /** Templates without tool calls, when no generic fallback is wanted. */
    NONE("no tool calls", true),
    /** {@code {"tool_call": {"name", "arguments"}}}, {@code {"tool_calls": [...]}} or {@code {"response": "..."}}: llama.cpp's generic format. */
    GENERIC("generic JSON object", true),
    /** {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>}: Hermes 2/3, Qwen 2.5/3, QwQ, Granite 4, MiMo, Bielik, Reka. */
    HERMES("<tool_call>{json}</tool_call>", true),
    /** {@code <tool_call>\n<function=NAME>\n<parameter=K>\nV\n</parameter>\n</function>\n</tool_call>}: Qwen3-Coder, Qwen3.5, Nemotron 3, StepFun 3.5. */
    QWEN3_CODER("<tool_call><function=NAME><parameter=K>V</parameter></function></tool_call>", true),
    /** As Qwen3-Coder inside {@code <seed:tool_call>}: ByteDance Seed-OSS. */
    SEED_OSS("<seed:tool_call><function=NAME><parameter=K>V</parameter></function></seed:tool_call>", true),
    /** {@code {"name": ..., "parameters": {...}}} anywhere, {@code <|python_tag|>} builtin calls and code: Llama 3.1/3.2/3.3. */
    LLAMA_3("{\"name\", \"parameters\"} or <|python_tag|>", true),
    /** {@code [TOOL_CALLS][{"name", "arguments", "id"}]}: Mistral Nemo. */
    MISTRAL_NEMO("[TOOL_CALLS][{json}]", true),
    /** {@code [TOOL_CALLS]NAME[CALL_ID]ID[ARGS]{...}}: Mistral Small 3.2. */
    MISTRAL_CALL_ID("[TOOL_CALLS]NAME[CALL_ID]ID[ARGS]{json}", true),
    /** {@code [TOOL_CALLS]NAME[ARGS]{...}}: Devstral, Ministral 3, Magistral. */
    MISTRAL_ARGS("[TOOL_CALLS]NAME[ARGS]{json}", true),
    /** {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{...}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>}: DeepSeek R1 and its distills. */
    DEEPSEEK_R1("<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME ```json{json}```", true),
    /** {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{...}<｜tool▁call▁end｜><｜tool▁calls▁end｜>}: DeepSeek V3.1. */
    DEEPSEEK_V3_1("<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{json}", true),
    /** {@code <｜DSML｜function_calls><｜DSML｜invoke name="NAME"><｜DSML｜parameter name="K" string="true">V</｜DSML｜parameter>...}: DeepSeek V3.2. */
    DEEPSEEK_V3_2("<｜DSML｜function_calls><｜DSML｜invoke name=NAME>...", true),
    /** As V3.2 with {@code <｜DSML｜tool_calls>}: DeepSeek V4. */
    DEEPSEEK_V4("<｜DSML｜tool_calls><｜DSML｜invoke name=NAME>...", true),
    /** {@code <function=NAME>{...}</function>} and {@code <|python_tag|>} code: Functionary v3.1. */
    FUNCTIONARY_V3_1("<function=NAME>{json}</function>", true),
    /** {@code >>>NAME\n{...}}, {@code >>>all\ntext}: Functionary v3.2 (the prompt ends with {@code >>>}). */
    FUNCTIONARY_V3_2(">>>NAME\\n{json}", true),
    /** {@code Action:\n```json\n[{"tool_name", "parameters"}]\n```}: Command-R+. */
    COMMAND_R_PLUS("Action: ```json [{json}] ```", true),
    /** {@code <|START_ACTION|>[{"tool_call_id", "tool_name", "parameters"}]<|END_ACTION|>}: Command-R7B, Cohere2 MoE. */
    COMMAND_R7B("<|START_ACTION|>[{json}]<|END_ACTION|>", true),
    /** {@code <|tool_call|>[{"name", "arguments"}]}: Granite 3.x. */
    GRANITE_3("<|tool_call|>[{json}]", true),
    /** {@code <|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{...}<|tool_call_end|>...}: Kimi-K2. */
    KIMI_K2("<|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>{json}", true),
    /** {@code <tool_call>NAME\n<arg_key>K</arg_key>\n<arg_value>V</arg_value>\n</tool_call>}: GLM 4.5-4.7, Ling 3, Laguna, Spark. */
    GLM_4_5("<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value></tool_call>", true),
    /** GLM-style tags suffixed {@code :opensource} inside {@code <tool_calls:opensource>}: Tencent Hunyuan 3. */
    HUNYUAN_3("<tool_calls:opensource><tool_call:opensource>NAME<tool_sep:opensource>...", true),
    /** OpenAI harmony channels: gpt-oss. */
    GPT_OSS("harmony <|channel|>commentary to=functions.NAME<|message|>{json}", true),
    /** {@code <minimax:tool_call>\n<invoke name="NAME">\n<parameter name="K">V</parameter>\n</invoke>\n</minimax:tool_call>}: MiniMax-M2. */
    MINIMAX_M2("<minimax:tool_call><invoke name=NAME><parameter name=K>V</parameter></invoke>", true),
    /** {@code <tool_calls>[{...}]</tool_calls>} (Apriel) or one object per line (MiniMax-M1). */
    TOOL_CALLS_TAG("<tool_calls>[{json}]</tool_calls>", true),
    /** {@code <TOOLCALL>[{...}]</TOOLCALL>}: Nemotron Nano v2. */
    NEMOTRON_V2("<TOOLCALL>[{json}]</TOOLCALL>", true),
    /** {@code functools[{...}]}: FireFunction v2. */
    FIREFUNCTION_V2("functools[{json}]", true),
    /** {@code <|tools_prefix|>[{"NAME": {...}}]<|tools_suffix|>}: Apertus. */
    APERTUS("<|tools_prefix|>[{NAME: {json}}]<|tools_suffix|>", true),
    /** {@code <|function_call|>{"name", "arguments"}}: GigaChat 3.1. */
    GIGACHAT_3_1("<|function_call|>{json}", true),
    /** A {@code function call<|role_sep|>} message holding {@code {"name", "arguments"}}: GigaChat 3. */
    GIGACHAT_3("function call<|role_sep|>{json}", true),
    /** {@code <|tool_call_start|>[name(k="v")]<|tool_call_end|>}: LFM2, LFM2.5. */
    LFM2("<|tool_call_start|>[NAME(k=v)]<|tool_call_end|>", true),
    /** {@code <|tool_calls|><|tool_call:begin|>ID<|tool_call:name|>NAME<|tool_call:args|>{...}<|tool_call:end|>}: Solar Open. */
    SOLAR_OPEN("<|tool_call:begin|>ID<|tool_call:name|>NAME<|tool_call:args|>{json}", true),
    /** {@code <function name="NAME"><param name="K">V</param></function>}: MiniCPM 5. */
    MINICPM5("<function name=NAME><param name=K>V</param></function>", true),
    /** Gemma 4 {@code <|tool_call>call:NAME{k:<|"|>v<|"|>}<tool_call|>}: recognised, not parsed. */
    GEMMA_4("<|tool_call>call:NAME{...}<tool_call|>", false),
    /** Kimi-K3 {@code <|open|>call tool=...}: recognised, not parsed. */
    KIMI_K3("<|open|>call tool=NAME ...", false),
    /** MiniMax-M3 {@code ]<]minimax[>[} namespaced tags: recognised, not parsed. */
    MINIMAX_M3("]<]minimax[>[<invoke name=NAME>...", false),
    /** Muse Glimmer {@code to=NAME<|message|><atem:function_calls>}: recognised, not parsed. */
    MUSE_GLIMMER("<atem:function_calls><atem:invoke name=NAME>...", false);

    private final String shape;
    private final boolean parsed;

    ToolCallFormat(String shape, boolean parsed) {
        this.shape = shape;
        this.parsed = parsed;
    }

    /** A short picture of the syntax, for logs and errors. */
    public String shape() {
        return shape;
    }

    /** False for families recognised but not parsed: their calls stay in the content. */
    public boolean parsed() {
        return parsed;
    }
}
