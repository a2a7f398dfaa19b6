/**
 * Conformance of `@ggufkit/convert` with llama.cpp's convert_hf_to_gguf.py: converting the
 * shared Hugging Face checkpoints must give llama.cpp's own `*-convert-f16.gguf` and
 * `*-convert-q8_0.gguf`: same metadata keys, order, types and values, same tensor names,
 * order, types, shapes and data bytes.
 *
 * No metadata key is excluded from the comparison. The informational naming keys
 * (`general.name`, `general.size_label`) are compared too: ggufkit derives them as
 * gguf-py does, from the model folder's name (`hf` -> `Hf`) and the parameter count.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { planConversion } from '@ggufkit/convert/node';
import { readAt } from '../packages/convert/test/helpers/read-at.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared/models');
const haveShared = fs.existsSync(shared);
const d = haveShared ? describe : describe.skip;
if (!haveShared) console.warn(`convert conformance tests skipped: ${shared} not found`);

const MODELS = ['tl-bpe', 'tl-spm', 'tq-qwen2', 'rg-gemma2'] as const;
const OUTTYPES = ['f16', 'q8_0'] as const;

/** A metadata value in a form both sides can be compared in. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && 'values' in v) return plain((v as { values: unknown }).values);
  return v;
}


d('convert matches llama.cpp convert_hf_to_gguf.py', () => {
  for (const model of MODELS) {
    for (const outtype of OUTTYPES) {
      it(`${model} --outtype ${outtype}`, async () => {
        const ref = path.join(shared, model, 'llama.cpp', `${model}-convert-${outtype}.gguf`);
        const parsed = await gguf(ref, { allowLocalFile: true, typedMetadata: true });
        const typed = parsed.typedMetadata as unknown as Record<string, { type: number; subType?: number; value: unknown }>;
        const plan = await planConversion(path.join(shared, model, 'hf'), { outtype });
        try {
          // metadata: same keys in the same order, same types, same values
          const refKeys = Object.keys(typed).filter((k) => !['version', 'tensor_count', 'kv_count'].includes(k));
          expect(plan.header.metadata.map((e) => e.key)).toEqual(refKeys);
          for (const e of plan.header.metadata) {
            const r = typed[e.key]!;
            expect({ key: e.key, type: e.type }).toEqual({ key: e.key, type: r.type });
            if (e.type === 9) expect({ key: e.key, itemType: (e.value as { itemType: number }).itemType }).toEqual({ key: e.key, itemType: r.subType });
            expect({ key: e.key, value: plain(e.value) }).toEqual({ key: e.key, value: plain(r.value) });
          }
          // tensors: names, order, types, shapes, bytes
          expect(plan.tensors.map((t) => [t.name, t.type, [...t.ne]])).toEqual(parsed.tensorInfos.map((t) => [t.name, t.dtype, t.shape.map(Number)]));
          const dataOffset = Number(parsed.tensorDataOffset);
          for (let i = 0; i < plan.tensors.length; i++) {
            const mine = await plan.tensors[i]!.data();
            const theirs = readAt(ref, dataOffset + Number(parsed.tensorInfos[i]!.offset), mine.length);
            if (Buffer.compare(Buffer.from(mine.buffer, mine.byteOffset, mine.byteLength), theirs) !== 0) {
              throw new Error(`${model} ${outtype}: tensor ${plan.tensors[i]!.name} bytes differ from llama.cpp's`);
            }
          }
        } finally {
          await plan.close();
        }
      });
    }
  }
});

const haveWriter = typeof ((await import('@ggufkit/gguf/node')) as Record<string, unknown>)['writeGGUFFile'] === 'function';
if (haveShared && !haveWriter) console.warn('whole-file convert comparison skipped: @ggufkit/gguf/node has no writeGGUFFile');
const dw = haveShared && haveWriter ? describe : describe.skip;

/** With the GGUF writer, whole files must come out byte-identical to llama.cpp's. */
dw('convert writes llama.cpp-identical files', () => {
  for (const model of MODELS) {
    for (const outtype of OUTTYPES) {
      it(`${model} --outtype ${outtype} file bytes`, async () => {
        const { convertModel } = await import('@ggufkit/convert/node');
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-convert-'));
        const out = path.join(tmp, `${model}-${outtype}.gguf`);
        try {
          await convertModel(path.join(shared, model, 'hf'), { outFile: out, outtype });
          const ref = fs.readFileSync(path.join(shared, model, 'llama.cpp', `${model}-convert-${outtype}.gguf`));
          const mine = fs.readFileSync(out);
          expect(mine.length).toBe(ref.length);
          expect(Buffer.compare(mine, ref)).toBe(0);
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    }
  }
});
