import type { CommandModule } from 'yargs';
import { quantizeGGUF } from '@ggufkit/convert';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { defaultThreadCount, imatrixForTensor, SUPPORTED_FTYPES } from '@ggufkit/quants';
import { loadImatrix } from '../imatrix-file.js';
import { ggmlTypeName, parseGGMLType, tensorBytes } from '@ggufkit/tensor-layout';
import { openModelInput } from '../open-input.js';
import { printJSON } from '../output.js';
import { writeProgressBar } from '../progress.js';
import { parseThreads, threadsOption } from '../common-flags.js';

interface Args {
  input: string; output: string; ftype: string; imatrix?: string; threads?: number; pure: boolean;
  'output-tensor-type'?: string; 'token-embedding-type'?: string; 'allow-requantize': boolean; 'allow-overflow': boolean; 'leave-output-tensor': boolean; json: boolean;
}

/** `ggufkit quantize IN OUT FTYPE`: llama-quantize's mixes, byte-identical to llama.cpp. */
export const quantizeCommand: CommandModule<object, Args> = {
  command: 'quantize <input> <output> <ftype>',
  describe: 'Quantize a GGUF model to a llama.cpp mix (Q4_K_M, Q8_0, ...), choosing per-tensor types as llama.cpp does',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'F32/F16/BF16 GGUF (path, URL or first shard)' })
    .positional('output', { type: 'string', demandOption: true })
    .positional('ftype', { type: 'string', demandOption: true, describe: SUPPORTED_FTYPES.join(' ') })
    .option('imatrix', { type: 'string', describe: 'importance matrix (llama.cpp .dat file)' })
    .option('threads', threadsOption)
    .option('pure', { type: 'boolean', default: false, describe: 'no per-tensor rules: every quantizable tensor gets the base type' })
    .option('output-tensor-type', { type: 'string', describe: 'type for output.weight' })
    .option('token-embedding-type', { type: 'string', describe: 'type for token_embd.weight' })
    .option('leave-output-tensor', { type: 'boolean', default: false, describe: 'keep output.weight unquantized' })
    .option('allow-requantize', { type: 'boolean', default: false, describe: 'allow quantizing tensors that are already quantized' })
    .option('allow-overflow', { type: 'boolean', default: false, describe: 'write values whose block scales overflow f16 (inf/NaN) instead of refusing' })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary (types chosen per tensor)' })
    .example('$0 quantize model-f16.gguf model-Q4_K_M.gguf Q4_K_M', '')
    .example('$0 quantize model-f16.gguf model-Q4_K_M.gguf Q4_K_M --imatrix model.imatrix.dat', 'with importance weights'),
  handler: async (args) => {
    const threads = parseThreads(args.threads) ?? defaultThreadCount();
    const imatrix = args.imatrix ? await loadImatrix(args.imatrix) : undefined;
    const file = await openModelInput(args.input);
    const bar = writeProgressBar('quantize');
    let q: ReturnType<typeof quantizeGGUF> | undefined;
    try {
      q = quantizeGGUF(file, {
        ftype: args.ftype,
        threads,
        // read the next tensor while the workers quantize this one
        prefetch: threads > 1,
        pure: args.pure,
        allowRequantize: args['allow-requantize'],
        allowOverflow: args['allow-overflow'],
        leaveOutputTensor: args['leave-output-tensor'],
        ...(args['output-tensor-type'] ? { outputTensorType: parseGGMLType(args['output-tensor-type']).id } : {}),
        ...(args['token-embedding-type'] ? { tokenEmbeddingType: parseGGMLType(args['token-embedding-type']).id } : {}),
        ...(imatrix ? { imatrix: (name: string, ne0: number) => imatrixForTensor(imatrix, name, [ne0]) } : {}),
      });
      const start = performance.now();
      const written = await writeGGUFFile(args.output, q.header, q.tensors, { onProgress: (p) => bar.update(p) });
      bar.stop();
      const seconds = (performance.now() - start) / 1000;
      const counts = new Map<string, number>();
      for (const t of q.plan.tensors) counts.set(ggmlTypeName(t.toType), (counts.get(ggmlTypeName(t.toType)) ?? 0) + 1);
      if (args.json) {
        printJSON({
          output: args.output, ftype: args.ftype.toUpperCase(), fileType: q.plan.ftype, bytes: written.fileSize, seconds, threads,
          tensors: q.plan.tensors.map((t) => ({ name: t.name, from: ggmlTypeName(t.fromType), to: ggmlTypeName(t.toType), bytes: tensorBytes(t.toType, t.ne) })),
        });
      } else {
        const mix = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
        process.stderr.write(`quantized ${q.plan.tensors.length} tensors (${mix}) to ${args.output}: ${(written.fileSize / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`);
      }
    } finally {
      bar.stop();
      await q?.close();
      await file.close();
    }
  },
};
