package io.infernet.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How conversations are prepared for a template, rule by rule, on small templates that show each rule. */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String render(String template, String messages) {
        return ChatTemplate.parse(template).render(RenderRequest.of(json(messages)));
    }

    @Test
    void capabilitiesComeFromWhatTheTemplateReads() {
        TemplateCaps chatml = ChatTemplate.parse(CHATML).caps();
        assertTrue(chatml.stringContent());
        assertFalse(chatml.typedContent());
        assertTrue(chatml.systemRole());
        assertFalse(chatml.tools(), "never reads tools");
        assertFalse(chatml.toolCalls());

        TemplateCaps typed = ChatTemplate.parse("{% for m in messages %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endfor %}").caps();
        assertTrue(typed.typedContent());
        assertFalse(typed.stringContent(), "iterating a string fails, so string content does not render");
    }

    @Test
    void contentFollowsTheTemplatesCapabilities() {
        assertEquals("<|im_start|>user\nDescribe:\na cat<|im_end|>\n<|im_start|>assistant\n",
                render(CHATML, "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Describe:\"}, {\"type\": \"text\", \"text\": \"a cat\"}]}]"),
                "parts joined with newlines for a string-only template");
        assertEquals("[hello]", render("{% for m in messages %}{% for p in m.content %}[{{ p.text }}]{% endfor %}{% endfor %}",
                "[{\"role\": \"user\", \"content\": \"hello\"}]"), "a string becomes one text part for a typed-only template");
        assertEquals("<|im_start|>assistant\n<|im_end|>\n<|im_start|>assistant\n", render(CHATML, "[{\"role\": \"assistant\", \"content\": null}]"),
                "null content is an empty string");
    }

    @Test
    void systemMessagesMergeWhereTheTemplateHasNoSystemRole() {
        String noSystem = "{% for m in messages %}{% if m.role != 'system' %}[{{ m.role }}:{{ m.content }}]{% endif %}{% endfor %}";
        assertFalse(ChatTemplate.parse(noSystem).caps().systemRole());
        assertEquals("[user:Be brief.\nHi]", render(noSystem, "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]"));
        assertEquals("[system:x]", render("{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}",
                "[{\"role\": \"developer\", \"content\": \"x\"}]"), "developer becomes system");
    }

    @Test
    void toolCallArgumentsBecomeObjectsForTemplatesThatReadThemSo() {
        String objectArgs = "{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.name }}({% for k, v in c.function.arguments.items() %}"
                + "{{ k }}={{ v }}{% endfor %}){% endfor %}{% endfor %}";
        assertTrue(ChatTemplate.parse(objectArgs).caps().objectArguments());
        String call = "[{\"role\": \"user\", \"content\": \"?\"}, {\"role\": \"assistant\", \"tool_calls\": [{\"type\": \"function\", "
                + "\"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]}]";
        assertEquals("get_weather(city=Paris)", render(objectArgs, call));

        String stringArgs = "{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.arguments }}{% endfor %}{% endfor %}";
        assertFalse(ChatTemplate.parse(stringArgs).caps().objectArguments());
        assertEquals("{\"city\": \"Paris\"}", render(stringArgs, call));

        TemplateException bad = assertThrows(TemplateException.class, () -> render(objectArgs,
                call.replace("{\\\"city\\\": \\\"Paris\\\"}", "{not json")));
        assertEquals(TemplateException.Kind.INPUT, bad.kind());
    }

    @Test
    void templateVariables() {
        String t = "{{ bos_token }}[{{ date_string }}|{{ datetime }}|{{ strftime_now('%Y') }}|{{ enable_thinking }}|{{ clear_thinking }}|"
                + "{{ add_generation_prompt is defined }}|{{ tools is defined }}|{{ flavour }}]{{ eos_token }}";
        ChatTemplate template = ChatTemplate.parse(t);
        RenderRequest r = RenderRequest.of(json("[{\"role\": \"user\", \"content\": \"hi\"}]"))
                .withTokens("<s>", "</s>", true, false)
                .withClock(Clock.fixed(Instant.parse("2025-12-31T23:30:00Z"), ZoneOffset.UTC))
                .withKwargs(Map.of("flavour", TextNode.valueOf("vanilla")));
        assertEquals("[31 Dec 2025|Dec 31 2025|2025|True|False|True|False|vanilla]</s>", template.render(r), "the tokenizer adds BOS, not EOS");
        assertEquals("<s>[31 Dec 2025|Dec 31 2025|2025|False|False|False|True|vanilla]",
                template.render(r.withTokens("<s>", "</s>", false, true).withEnableThinking(false).withGenerationPrompt(false)
                        .withTools(json("[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]"))));
        assertEquals("True", ChatTemplate.parse("{{ enable_thinking }}").render(
                RenderRequest.of(json("[]")).withEnableThinking(false).withKwargs(Map.of("enable_thinking", BooleanNode.TRUE))),
                "a kwarg wins");
    }

    @Test
    void toolsAreReducedToWhatLlamaServerPasses() {
        String t = "{{ tools|tojson }}";
        assertEquals("[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"description\": \"\", \"parameters\": {}}}]",
                ChatTemplate.parse(t).render(RenderRequest.of(json("[]"))
                        .withTools(json("[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"strict\": true}}]"))));
        assertEquals("False", ChatTemplate.parse("{{ tools is defined }}").render(RenderRequest.of(json("[]")).withTools(json("[]"))),
                "an empty tools array: no tools variable");
    }

    @Test
    void invalidConversationsAreInputErrors() {
        ChatTemplate t = ChatTemplate.parse(CHATML);
        for (String bad : new String[] {
                "{\"role\": \"user\"}",
                "[{\"content\": \"no role\"}]",
                "[{\"role\": \"user\"}]",
                "[{\"role\": \"assistant\"}]",
                "[{\"role\": \"user\", \"content\": 5}]",
                "[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]",
                "[{\"role\": \"assistant\", \"tool_calls\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}]"}) {
            TemplateException e = assertThrows(TemplateException.class, () -> t.render(RenderRequest.of(json(bad))), bad);
            assertEquals(TemplateException.Kind.INPUT, e.kind(), bad);
        }
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(RenderRequest.of(json("[]")).withTools(json("[{\"type\": \"retrieval\"}]"))));
        assertEquals(TemplateException.Kind.INPUT, e.kind());
    }
}
