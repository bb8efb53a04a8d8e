/**
 * A small Jinja engine with the dialect and semantics of llama.cpp's (common/jinja), which chat
 * templates are written for and which prompts must match byte for byte: lexer (Hugging Face's
 * whitespace rules), parser to an immutable tree, tree-walking interpreter over a closed value
 * model, builtins. Templates reach only {@link io.infernet.chat.template.jinja.Value}s, never Java
 * objects; renders are bounded by {@link io.infernet.chat.template.jinja.Limits}.
 */
package io.infernet.chat.template.jinja;
