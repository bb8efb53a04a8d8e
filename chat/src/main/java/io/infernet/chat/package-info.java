/**
 * Chat as models see it: the model's own Jinja chat template rendered in Java, and the model's
 * output parsed back into content, reasoning and tool calls. Pure Java; no native calls.
 */
package io.infernet.chat;
