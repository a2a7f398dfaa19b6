/**
 * Chat prompts from the model's template. The expected prompt is the shipped model's
 * template (tl-bpe's chat_template.jinja, Llama-3 style) worked by hand.
 */
import path from 'node:path';
import { loadModelFile } from '../src/node.js';
import type { Model } from '../src/model.js';
import { repoRoot } from './helpers/shared.js';

const shipped = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');

describe('chat templates', () => {
  let model: Model;
  beforeAll(async () => { model = await loadModelFile(shipped, { threads: 1 }); });
  afterAll(() => model.dispose());

  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: '  What is a GGUF file? ' },
  ];

  it('renders the model\'s template, leaving out the BOS that tokenizing adds', () => {
    expect(model.chatTemplate).toContain('<|start_header_id|>');
    expect(model.tokenizer.vocab.addBos).toBe(true);
    expect(model.applyChatTemplate(messages)).toBe(
      '<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>'
      + '<|start_header_id|>user<|end_header_id|>\n\nWhat is a GGUF file?<|eot_id|>'
      + '<|start_header_id|>assistant<|end_header_id|>\n\n');
    expect(model.applyChatTemplate(messages, { addGenerationPrompt: false })).not.toContain('assistant');
  });

  it('chat() generates from the rendered prompt with its control tokens recognised', async () => {
    const prompt = model.applyChatTemplate(messages);
    const ids = model.tokenize(prompt, { special: true });
    expect(ids[0]).toBe(model.tokenizer.vocab.bos);
    const headerId = model.tokenizer.vocab.tokens.indexOf('<|start_header_id|>');
    expect(headerId).toBeGreaterThanOrEqual(0);
    expect(ids[1]).toBe(headerId);
    const reply = await model.chat(messages, { maxTokens: 12, temperature: 0 });
    const direct = await model.generate(ids, { maxTokens: 12, temperature: 0 });
    expect(reply.promptTokens).toBe(ids.length);
    expect(reply.tokens).toEqual(direct.tokens);
  });

  it('takes a template as an option and explains a broken one', () => {
    expect(model.applyChatTemplate(messages, { template: '{% for m in messages %}[{{ m.role }}]{% endfor %}' })).toBe('[system][user]');
    expect(() => model.applyChatTemplate(messages, { template: '{% for m in messages %}' })).toThrow(/chat template/);
  });
});
