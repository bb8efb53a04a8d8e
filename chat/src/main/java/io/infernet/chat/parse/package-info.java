/**
 * A model's output parsed back into an OpenAI assistant message: content, reasoning_content and
 * tool calls, whole or as streamed deltas that always add up to the whole parse.
 *
 * <p>Entry points: {@link io.infernet.chat.parse.FormatDetector#detect} (template source to
 * {@link io.infernet.chat.parse.OutputFormat}, once per model), then per generation a
 * {@link io.infernet.chat.parse.ChatOutputParser} with {@link io.infernet.chat.parse.ParserOptions}
 * (tools offered, prompt tail). {@link io.infernet.chat.parse.OutputFormat#callSyntax()} describes
 * each format's calls as data for a constraining grammar. {@code docs/chat-formats.md} has the
 * rules and the per-template table. Pure Java; no other infernet module.
 */
package io.infernet.chat.parse;
