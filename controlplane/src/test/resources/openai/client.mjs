// Calls an OpenAI-compatible server with the official OpenAI SDK and prints one JSON line.
// Usage: node client.mjs BASE_URL MODEL stream|whole|models MAX_TOKENS
import OpenAI from 'openai';

const [baseURL, model, mode, maxTokens] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'not-needed', maxRetries: 0, timeout: 120_000 });
const messages = [{ role: 'user', content: 'Say hello to the network.' }];
const t0 = performance.now();

if (mode === 'models') {
  const page = await client.models.list();
  console.log(JSON.stringify({ mode, ids: page.data.map((m) => m.id) }));
} else if (mode === 'stream') {
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: Number(maxTokens), stream: true, stream_options: { include_usage: true },
  });
  let text = '', ttft = null, finish = null, usage = null, chunks = 0, role = null;
  for await (const c of stream) {
    chunks++;
    const choice = c.choices?.[0];
    if (choice?.delta?.role) role = choice.delta.role;
    if (choice?.delta?.content) {
      if (ttft === null) ttft = performance.now() - t0;
      text += choice.delta.content;
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (c.usage) usage = c.usage;
  }
  console.log(JSON.stringify({ mode, role, text, finish, usage, chunks, ttft_ms: ttft, total_ms: performance.now() - t0 }));
} else {
  const r = await client.chat.completions.create({ model, messages, max_tokens: Number(maxTokens) });
  console.log(JSON.stringify({
    mode, id: r.id, object: r.object, text: r.choices[0].message.content, finish: r.choices[0].finish_reason,
    usage: r.usage, total_ms: performance.now() - t0,
  }));
}
