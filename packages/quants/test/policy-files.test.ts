/**
 * The ftype policy against llama.cpp's own quantizations: for every `*-quantize-FTYPE.gguf`
 * in the shared models, planning from the matching `*-convert-f16.gguf` gives the same
 * tensors, in the same order, with the same types.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { ggmlTypeName } from '@ggufkit/tensor-layout';
import { modelShapeFromMetadata, planQuantization } from '@ggufkit/quants';

const modelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/models');
const cases: Array<[string, string, string, boolean]> = [];
if (fs.existsSync(modelsDir)) {
  for (const m of fs.readdirSync(modelsDir).sort()) {
    const dir = path.join(modelsDir, m, 'llama.cpp');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const match = /-quantize-(.+?)(-imatrix)?\.gguf$/.exec(f);
      if (match) cases.push([m, f, match[1]!, match[2] !== undefined]);
    }
  }
} else {
  console.warn(`skipping the ftype policy checks against llama.cpp: ${modelsDir} is absent`);
}

(cases.length ? describe : describe.skip)('ftype policy reproduces llama-quantize', () => {
  it.each(cases)('%s %s', async (model, file, ftype, imatrix) => {
    const src = await openGGUFFile(path.join(modelsDir, model, 'llama.cpp', `${model}-convert-f16.gguf`));
    const ref = await openGGUFFile(path.join(modelsDir, model, 'llama.cpp', file));
    const get = (k: string) => { const v = src.get(k)?.value; return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? v : undefined; };
    const plan = planQuantization(src.tensors, { ftype, model: modelShapeFromMetadata(get), hasImatrix: imatrix });
    expect(plan.tensors.map((t) => `${t.name} ${ggmlTypeName(t.toType)} ${t.ne.join('x')}`))
      .toEqual(ref.tensors.map((t) => `${t.name} ${ggmlTypeName(t.type)} ${t.ne.join('x')}`));
    expect(ref.getNumber('general.file_type')).toBe(plan.ftype);
    await src.close();
    await ref.close();
  });
});
