// Structured output through unmodified JavaScript clients (a random-weight model: only a constrained
// answer parses). Prints one JSON line per check. Usage: node structured.mjs BASE_URL MODEL
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { report, run } from './checks.mjs';

const base = process.argv[2] + '/v1';
const model = process.argv[3];
const client = new OpenAI({ baseURL: base, apiKey: 'not-needed', maxRetries: 0 });
const Book = z.object({ title: z.string(), year: z.number().int(), authors: z.array(z.string()), genre: z.enum(['novel', 'poetry', 'essay']) });

await run('openai parse', async () => {
  const c = await client.chat.completions.parse({ model, messages: [{ role: 'user', content: 'Recommend a book.' }],
    response_format: zodResponseFormat(Book, 'book'), max_completion_tokens: 160, seed: 1 });
  const b = c.choices[0].message.parsed;
  report('openai parse', b && typeof b.title === 'string' && Number.isInteger(b.year) && Array.isArray(b.authors), b);
});

await run('langchain withStructuredOutput', async () => {
  const llm = new ChatOpenAI({ model, apiKey: 'not-needed', configuration: { baseURL: base }, maxTokens: 160, maxRetries: 0 });
  const b = await llm.withStructuredOutput(Book, { name: 'book', method: 'jsonSchema', strict: true }).invoke('Recommend a book.');
  report('langchain withStructuredOutput', b && typeof b.title === 'string' && ['novel', 'poetry', 'essay'].includes(b.genre), b);
});
