package io.infernet.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /v1/responses}: OpenAI's Responses API over the same engine as chat completions
 * (see {@link ResponsesRequest} for the mapping). The answer's {@code output} holds a
 * {@code reasoning} item when the model reasoned, a {@code message} item with its text, and a
 * {@code function_call} item per tool call; streamed, as the typed events OpenAI sends
 * ({@code response.created}, {@code response.output_item.added}, {@code response.output_text.delta},
 * {@code response.function_call_arguments.delta}, ..., {@code response.completed}). Stored
 * responses (the default) can be continued with {@code previous_response_id}.
 *
 * <p>As the chat endpoints: the body is read by {@link GenerationResponder#readBody} (JSON only,
 * bounded by the served context), the model name may be an alias (reported back as given), a
 * non-streamed answer's connection is watched so a client that leaves cancels its generation, and
 * a generation that fails answers 400, 503 or 500 as its kind says.
 */
final class ResponsesHandler implements Handler {

    private final ServerConfig cfg;
    private final GenerationResponder responder;
    private final ResponseStore store;

    ResponsesHandler(ServerConfig cfg, GenerationResponder responder, ResponseStore store) {
        this.cfg = cfg;
        this.responder = responder;
        this.store = store;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = responder.readBody(req);
        ResponsesRequest r = ResponsesRequest.parse(body, store::get);
        RequestParser.ParsedGeneration parsed = RequestParser.chat(r.chatBody(), cfg);
        GenerationResponder.Started started = responder.start(parsed.request());
        GenerationStream stream = started.stream();
        String id = "resp_" + GenerationResponder.randomId();
        long created = Instant.now().getEpochSecond();
        try {
            GenerationEvent.Done done = r.stream()
                    ? StreamThread.call("infernet-stream " + id, () -> streamed(res, stream, r, id, created, started.model(), started.fallbackModel()))
                    : GenerationResponder.watched(stream, gone -> whole(res, stream, r, id, created, started.model(),
                            started.fallbackModel(), gone));
            if (done != null && r.store()) {
                List<ChatMessage> conversation = new ArrayList<>(r.conversation());
                ParsedMessage m = done.message();
                conversation.add(new ChatMessage("assistant", m.content(), null, null, null, m.toolCalls(), null));
                store.put(id, conversation);
            }
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
            throw OpenAiErrors.shuttingDown();
        } catch (RuntimeException e) {
            stream.cancel();
            throw e;
        }
    }

    private static GenerationEvent.Done whole(ServerResponse res, GenerationStream stream, ResponsesRequest r, String id, long created,
                                              ServedModels.Resolved served, String model, BooleanSupplier gone) throws InterruptedException {
        while (true) {
            switch (stream.next(Duration.ZERO)) {
                case GenerationEvent.Meta m -> model = served.report(m.model());
                case GenerationEvent.Token t -> { }
                case GenerationEvent.Done d -> {
                    if (d.reason() == FinishReason.CANCEL) {
                        throw GenerationResponder.cancelled(gone);
                    }
                    ObjectNode response = response(id, created, model, r, d.reason() == FinishReason.LENGTH ? "incomplete" : "completed");
                    response.set("output", output(d.message(), id));
                    finish(response, d);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(Json.bytes(response));
                    return d;
                }
                case GenerationEvent.Error e -> throw GenerationResponder.generationFailed(e);
            }
        }
    }

    private GenerationEvent.Done streamed(ServerResponse res, GenerationStream stream, ResponsesRequest r, String id, long created,
                                          ServedModels.Resolved served, String model) throws InterruptedException {
        SseWriter sse = new SseWriter(res);
        Events events = null;
        try {
            while (true) {
                GenerationEvent event = stream.next(cfg.streamKeepAlive());
                if (event == null) {
                    sse.keepAlive();
                    continue;
                }
                switch (event) {
                    case GenerationEvent.Meta m -> model = served.report(m.model());
                    case GenerationEvent.Token t -> {
                        for (ChatDelta d : t.deltas()) {
                            events = opened(events, sse, id, created, model, r);
                            events.delta(d);
                        }
                    }
                    case GenerationEvent.Done d -> {
                        if (d.reason() == FinishReason.CANCEL) {
                            GenerationResponder.fail(sse, OpenAiErrors.shuttingDown());
                            return null;
                        }
                        events = opened(events, sse, id, created, model, r);
                        events.closeItem();
                        boolean incomplete = d.reason() == FinishReason.LENGTH;
                        ObjectNode response = response(id, created, model, r, incomplete ? "incomplete" : "completed");
                        response.set("output", events.output);
                        finish(response, d);
                        events.send(incomplete ? "response.incomplete" : "response.completed", Json.object().set("response", response));
                        sse.close();
                        return d;
                    }
                    case GenerationEvent.Error e -> {
                        ApiException ex = GenerationResponder.generationFailed(e);
                        if (events == null) {
                            GenerationResponder.fail(sse, ex); // nothing sent yet: a plain HTTP error
                        } else {
                            ObjectNode err = Json.object().put("code", ex.code() != null ? ex.code() : ex.type()).put("message", e.message());
                            err.put("param", ex.param());
                            events.send("error", err);
                            sse.close();
                        }
                        return null;
                    }
                }
            }
        } catch (SseWriter.ClientGoneException gone) {
            stream.cancel();
            return null;
        }
    }

    /**
     * The stream's opening events ({@code response.created}, {@code response.in_progress}) go out
     * with its first output or its end, so a request that fails before producing anything gets a
     * plain HTTP error, as on the chat endpoints.
     */
    private static Events opened(Events events, SseWriter sse, String id, long created, String model, ResponsesRequest r) {
        if (events != null) {
            return events;
        }
        Events e = new Events(sse, id);
        ObjectNode response = response(id, created, model, r, "in_progress");
        e.send("response.created", Json.object().set("response", response));
        e.send("response.in_progress", Json.object().set("response", response));
        return e;
    }

    /** The response object's fields in OpenAI's order, with an empty output. */
    private static ObjectNode response(String id, long created, String model, ResponsesRequest r, String status) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "response");
        o.put("created_at", created);
        o.put("status", status);
        o.putNull("error");
        o.putNull("incomplete_details");
        o.set("instructions", r.echo().get("instructions"));
        o.set("max_output_tokens", r.echo().get("max_output_tokens"));
        o.put("model", model);
        o.putArray("output");
        o.set("parallel_tool_calls", r.echo().get("parallel_tool_calls"));
        o.set("previous_response_id", r.echo().get("previous_response_id"));
        o.set("reasoning", Json.object().putNull("effort").putNull("summary"));
        o.set("store", r.echo().get("store"));
        o.set("temperature", r.echo().get("temperature"));
        o.set("text", r.echo().get("text"));
        o.set("tool_choice", r.echo().get("tool_choice"));
        o.set("tools", r.echo().get("tools"));
        o.set("top_p", r.echo().get("top_p"));
        o.put("truncation", "disabled");
        o.putNull("usage");
        o.set("metadata", r.echo().get("metadata"));
        return o;
    }

    private static void finish(ObjectNode response, GenerationEvent.Done d) {
        if (d.reason() == FinishReason.LENGTH) {
            response.set("incomplete_details", Json.object().put("reason", "max_output_tokens"));
        }
        Usage u = d.usage();
        ObjectNode usage = response.putObject("usage");
        usage.put("input_tokens", u.promptTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", Math.max(0, u.cachedTokens()));
        usage.put("output_tokens", u.completionTokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", u.totalTokens());
    }

    /** The output items of a whole answer. */
    static ArrayNode output(ParsedMessage m, String responseId) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        int n = 0;
        if (!m.reasoningContent().isEmpty()) {
            out.add(reasoningItem(itemId("rs", responseId, n++), m.reasoningContent()));
        }
        if (!m.content().isEmpty() || !m.hasToolCalls()) {
            out.add(messageItem(itemId("msg", responseId, n++), m.content(), "completed"));
        }
        for (ToolCall c : m.toolCalls()) {
            out.add(callItem(itemId("fc", responseId, n++), c.id(), c.name(), c.argumentsJson(), "completed"));
        }
        return out;
    }

    private static String itemId(String prefix, String responseId, int index) {
        return prefix + "_" + responseId.substring("resp_".length()) + "_" + index;
    }

    private static ObjectNode messageItem(String id, String text, String status) {
        ObjectNode item = Json.object().put("type", "message").put("id", id).put("status", status).put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        return item;
    }

    private static ObjectNode textPart(String text) {
        ObjectNode part = Json.object().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode reasoningItem(String id, String text) {
        ObjectNode item = Json.object().put("type", "reasoning").put("id", id);
        item.putArray("summary");
        if (text != null) {
            item.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
        }
        return item;
    }

    private static ObjectNode callItem(String id, String callId, String name, String arguments, String status) {
        return Json.object().put("type", "function_call").put("id", id).put("call_id", callId).put("name", name).put("arguments", arguments)
                .put("status", status);
    }

    /** Turns a chat delta stream into Responses events: one output item open at a time. Single-threaded. */
    private static final class Events {
        private final SseWriter sse;
        private final String responseId;
        final ArrayNode output = Json.MAPPER.createArrayNode();
        private int sequence;
        private String open; // "message", "reasoning", "call", or null
        private String openId;
        private final StringBuilder text = new StringBuilder();
        private String callId;
        private String callName;

        Events(SseWriter sse, String responseId) {
            this.sse = sse;
            this.responseId = responseId;
        }

        void send(String type, ObjectNode data) {
            ObjectNode e = Json.object().put("type", type).put("sequence_number", sequence++);
            data.properties().forEach(p -> e.set(p.getKey(), p.getValue()));
            sse.event(type, Json.bytes(e));
        }

        void delta(ChatDelta d) {
            switch (d) {
                case ChatDelta.Content c -> {
                    open("message");
                    text.append(c.text());
                    send("response.output_text.delta", at().put("content_index", 0).put("delta", c.text()));
                }
                case ChatDelta.Reasoning r -> {
                    open("reasoning");
                    text.append(r.text());
                    send("response.reasoning_text.delta", at().put("content_index", 0).put("delta", r.text()));
                }
                case ChatDelta.ToolCallDelta t -> {
                    if (t.first()) {
                        closeItem();
                        callId = t.id();
                        callName = t.name();
                        openItem("call", "fc", callItem(null, t.id(), t.name(), "", "in_progress"));
                    }
                    if (!t.arguments().isEmpty()) {
                        text.append(t.arguments());
                        send("response.function_call_arguments.delta", at().put("delta", t.arguments()));
                    }
                }
                case ChatDelta.ToolCallEnd e -> closeItem();
            }
        }

        private ObjectNode at() {
            return Json.object().put("item_id", openId).put("output_index", output.size());
        }

        private void open(String kind) {
            if (kind.equals(open)) {
                return;
            }
            closeItem();
            if (kind.equals("message")) {
                openItem(kind, "msg", messageItem(null, null, "in_progress"));
                ObjectNode part = at().put("content_index", 0);
                part.set("part", textPart(""));
                send("response.content_part.added", part);
            } else {
                openItem(kind, "rs", reasoningItem(null, null));
            }
        }

        private void openItem(String kind, String prefix, ObjectNode item) {
            open = kind;
            openId = itemId(prefix, responseId, output.size());
            item.put("id", openId);
            text.setLength(0);
            ObjectNode added = Json.object().put("output_index", output.size());
            added.set("item", item);
            send("response.output_item.added", added);
        }

        /** Ends the open item, if any: its done events, and it joins {@link #output}. */
        void closeItem() {
            if (open == null) {
                return;
            }
            String t = text.toString();
            ObjectNode item;
            switch (open) {
                case "message" -> {
                    send("response.output_text.done", at().put("content_index", 0).put("text", t));
                    ObjectNode part = at().put("content_index", 0);
                    part.set("part", textPart(t));
                    send("response.content_part.done", part);
                    item = messageItem(openId, t, "completed");
                }
                case "reasoning" -> {
                    send("response.reasoning_text.done", at().put("content_index", 0).put("text", t));
                    item = reasoningItem(openId, t);
                }
                default -> {
                    send("response.function_call_arguments.done", at().put("arguments", t));
                    item = callItem(openId, callId, callName, t, "completed");
                }
            }
            ObjectNode done = Json.object().put("output_index", output.size());
            done.set("item", item);
            send("response.output_item.done", done);
            output.add(item);
            open = null;
        }
    }
}
