// Unmodified JavaScript clients against an infernet server (NodeClientsTest queues the model's
// scripted outputs in the order these checks send their requests). Prints one JSON line per check:
// {"check": name, "ok": true|false, "detail": ...}. Usage: node clients.mjs BASE_URL
import OpenAI from 'openai';
import { ChatOpenAI } from '@langchain/openai';
import { report, run } from './checks.mjs';

const base = process.argv[2] + '/v1';
const client = new OpenAI({ baseURL: base, apiKey: 'not-needed', maxRetries: 0 });
const model = 'qwen2-tiny';
const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather of a city', parameters } }];
const question = [{ role: 'user', content: 'Weather in Paris?' }];

await run('chat tool call', async () => {
  const c = await client.chat.completions.create({ model, messages: question, tools });
  const call = c.choices[0].message.tool_calls?.[0];
  report('chat tool call', c.choices[0].finish_reason === 'tool_calls' && call?.function.name === 'get_weather'
    && JSON.parse(call.function.arguments).city === 'Paris', c.choices[0]);
});

await run('streamed tool call', async () => {
  const stream = client.chat.completions.stream({ model, messages: question, tools });
  const c = await stream.finalChatCompletion();
  const call = c.choices[0].message.tool_calls?.[0];
  report('streamed tool call', c.choices[0].finish_reason === 'tool_calls' && call?.function.name === 'get_weather'
    && call.function.arguments === '{"city":"Paris"}' && call.id?.startsWith('call_'), c.choices[0]);
});

await run('runTools', async () => {
  const asked = [];
  const runner = client.chat.completions.runTools({
    model, messages: question,
    tools: [{ type: 'function', function: { name: 'get_weather', parameters, parse: JSON.parse,
      function: (args) => { asked.push(args.city); return 'sunny, 21 C'; } } }],
  });
  const answer = await runner.finalContent();
  report('runTools', answer === 'It is sunny in Paris.' && asked.length === 1 && asked[0] === 'Paris', { answer, asked });
});

await run('responses', async () => {
  const rtools = [{ type: 'function', name: 'get_weather', parameters, strict: false }];
  const first = await client.responses.create({ model, input: 'Weather in Paris?', instructions: 'Be brief.', tools: rtools });
  const call = first.output.find((o) => o.type === 'function_call');
  const second = await client.responses.create({ model, previous_response_id: first.id, tools: rtools,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }] });
  report('responses', call?.name === 'get_weather' && call.arguments === '{"city":"Paris"}' && second.output_text === 'It is sunny in Paris.',
    { first: first.output, second: second.output_text });
});

await run('responses stream', async () => {
  const stream = client.responses.stream({ model, input: 'Say hi.' });
  const deltas = [];
  stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
  const final = await stream.finalResponse();
  // the stream helper's final response has no output_text convenience: read the message item
  const text = final.output.filter((o) => o.type === 'message').flatMap((o) => o.content).map((c) => c.text).join('');
  report('responses stream', text === 'Hi there.' && deltas.join('') === 'Hi there.' && final.status === 'completed',
    { status: final.status, output: final.output, deltas });
});

await run('langchain bindTools', async () => {
  const llm = new ChatOpenAI({ model, apiKey: 'not-needed', maxRetries: 0, configuration: { baseURL: base } });
  const msg = await llm.bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Current weather of a city', parameters } }])
    .invoke('Weather in Paris?');
  const call = msg.tool_calls?.[0];
  report('langchain bindTools', call?.name === 'get_weather' && call.args?.city === 'Paris', msg.tool_calls);
});
