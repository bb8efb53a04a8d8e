package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import io.infernet.runtime.serve.ServeConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Structured output through unmodified Java clients against the real server on loopback, on the
 * in-process engine and a generated random-weight model: whatever the weights, the answer is JSON
 * of the client's schema, which the client then maps into its class or record. openai-java derives
 * a strict JSON schema from a class ({@code responseFormat(Class)}); LangChain4j's {@code AiServices}
 * from a record return type (with the model's JSON-schema capability on).
 */
@Tag("native")
@Tag("slow")
class JavaStructuredOutputTest {
    static InProcessApiTest.Served s;
    static OpenAIClient openai;

    @BeforeAll
    static void start() {
        s = InProcessApiTest.Served.start(ServeConfig.defaults().withThreads(1).withParallel(2).withKvCells(4096).withBatchSize(128));
        openai = OpenAIOkHttpClient.builder().baseUrl(s.server().baseUrl() + "/v1").apiKey("not-needed").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        s.close();
    }

    /** openai-java reads public fields or getters; its schema generator makes every field required. */
    public static class Book {
        @JsonPropertyDescription("the book's title")
        public String title;
        public long year;
        public List<String> authors;
        public boolean inPrint;
        public Genre genre;
    }

    public enum Genre { NOVEL, POETRY, ESSAY }

    @Test
    void openaiJavaParsesTheAnswerIntoAClass() {
        for (int seed = 0; seed < 3; seed++) {
            ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Recommend a book.")
                    .maxCompletionTokens(160).temperature(1.0).seed(seed);
            StructuredChatCompletion<Book> c = openai.chat().completions().create(params.responseFormat(Book.class).build());
            Book b = c.choices().getFirst().message().content().orElseThrow();
            assertNotNull(b.title);
            assertNotNull(b.authors);
            assertNotNull(b.genre);
        }
    }

    /** LangChain4j maps the answer into a record. */
    record Film(String title, int year, List<String> cast, double rating) {}

    interface Critic {
        Film recommend(String request);
    }

    @Test
    void langChain4jReturnsARecord() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(s.server().baseUrl() + "/v1").apiKey("not-needed").modelName("tiny")
                .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA).strictJsonSchema(true).maxTokens(160).temperature(1.0)
                .seed(7).maxRetries(0).build();
        Critic critic = AiServices.create(Critic.class, model);
        Film f = critic.recommend("A film for tonight");
        assertNotNull(f.title());
        assertNotNull(f.cast());
        assertTrue(Double.isFinite(f.rating()));
        // only the constrained answer parses: a random-weight model writes no JSON by itself
    }
}
