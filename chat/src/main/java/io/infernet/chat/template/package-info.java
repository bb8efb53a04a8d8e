/**
 * A model's own chat template rendered to prompt text exactly as the pinned llama-server renders
 * it with {@code --jinja}: {@link io.infernet.chat.template.ChatTemplate#parse(String)} once per
 * template, {@link io.infernet.chat.template.ChatTemplate#render(RenderRequest)} per request,
 * {@link io.infernet.chat.template.TemplateException} for everything that goes wrong (its kind says
 * whether the client or the template is at fault). The Jinja engine itself is in
 * {@link io.infernet.chat.template.jinja}.
 */
package io.infernet.chat.template;
