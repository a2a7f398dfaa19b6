/**
 * Run a GGUF model with @ggufkit/engine: stream a greedy continuation of a prompt and report
 * the speed, then answer one chat message using the chat template stored in the file.
 *
 *   npx tsx examples/run-and-chat.ts                                   # the shipped model
 *   npx tsx examples/run-and-chat.ts model.gguf --prompt "The index" -n 48 --user "What is a tuple?"
 *
 * The chat turn uses `model.chat`, which renders `tokenizer.chat_template` (a Jinja program)
 * with the engine's template renderer and stops at the model's end-of-turn token.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadModelFile, type Model } from '@ggufkit/engine/node';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    prompt: { type: 'string', short: 'p', default: 'A dictionary maps keys to values, and' },
    'n-predict': { type: 'string', short: 'n', default: '32' },
    user: { type: 'string', default: 'How do I sort the rows a query returns?' },
    threads: { type: 'string', short: 't' },
  },
});
const modelPath = positionals[0] ?? fileURLToPath(new URL('./models/tl-bpe-Q4_K_M.gguf', import.meta.url));
const maxTokens = Number(opts['n-predict']);

const model = await loadModelFile(modelPath, opts.threads !== undefined ? { threads: Number(opts.threads) } : {});
try {
  console.log(`model: ${model.architecture}, ${model.vocabSize} tokens, context ${model.contextLength}, ${model.threads} thread(s), ${(model.memoryBytes / 2 ** 20).toFixed(1)} MiB of wasm memory`);

  // 1. Plain text continuation, greedy (temperature 0), streamed token by token.
  process.stdout.write(`\n--- completion ---\n${opts.prompt}`);
  const start = performance.now();
  let firstTokenAt = 0;
  const result = await model.generate(opts.prompt, {
    maxTokens,
    temperature: 0,
    onToken: (t) => {
      firstTokenAt ||= performance.now();
      process.stdout.write(t.text);
    },
  });
  const end = performance.now();
  const decodeRate = result.tokens.length > 1 ? ((result.tokens.length - 1) * 1000) / (end - firstTokenAt) : 0;
  console.log(`\n[${result.promptTokens} prompt tokens, ${result.tokens.length} generated (${result.stopReason}), ${decodeRate.toFixed(1)} tokens/s]`);

  // 2. One chat turn through the model's chat template.
  console.log('\n--- chat ---');
  await chat(model, opts.user);
} finally {
  model.dispose();
}

async function chat(m: Model, userMessage: string): Promise<void> {
  if (m.chatTemplate === undefined) {
    console.log('this model has no tokenizer.chat_template');
    return;
  }
  const messages = [{ role: 'user', content: userMessage }];
  console.log(`rendered prompt: ${JSON.stringify(m.applyChatTemplate(messages))}`);
  const reply = await m.chat(messages, { maxTokens: 48, temperature: 0 });
  console.log(`assistant: ${reply.text.trim()}`);
  console.log(`[stopped: ${reply.stopReason}]`);
}
