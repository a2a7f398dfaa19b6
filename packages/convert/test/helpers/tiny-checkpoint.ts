/**
 * Tiny random-weight Hugging Face checkpoints for tests: deterministic values, F32
 * safetensors written from the format's description (8-byte header length, JSON header
 * with dtype/shape/data_offsets, then the data), and a hand-encoded SentencePiece model.
 */

import { mulberry32 } from '../../../../test-support/mulberry32.js';

/** A tensor to store: name, PyTorch-order shape, values. */
export interface TinyTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Deterministic values in [-scale, scale) (mulberry32), different per seed. */
export function seededValues(n: number, seed: number, scale = 0.5): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

/** A tensor of `shape` with seeded values; the seed comes from the name so every tensor differs. */
export function tinyTensor(name: string, shape: number[], scale = 0.5): TinyTensor {
  let seed = 2166136261;
  for (const c of name) seed = Math.imul(seed ^ c.charCodeAt(0), 16777619);
  return { name, shape, data: seededValues(shape.reduce((a, b) => a * b, 1), seed, scale) };
}

/** One safetensors file holding `tensors` as F32, or as BF16 (each value's top 16 bits: exact for values that are bf16 already). */
export function safetensorsF32(tensors: readonly TinyTensor[], dtype: 'F32' | 'BF16' = 'F32'): Uint8Array {
  const bytesOf = (t: TinyTensor): Uint8Array => {
    const f32 = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (dtype === 'F32') return f32;
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    const bf16 = new Uint16Array(bits.length);
    for (let i = 0; i < bits.length; i++) bf16[i] = bits[i]! >>> 16;
    return new Uint8Array(bf16.buffer);
  };
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const payloads = tensors.map(bytesOf);
  let offset = 0;
  tensors.forEach((t, i) => {
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + payloads[i]!.byteLength] };
    offset += payloads[i]!.byteLength;
  });
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const p of payloads) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

// protobuf wire format, from the protobuf encoding description
const varint = (v: number): number[] => {
  const out: number[] = [];
  let x = v;
  do {
    let b = x & 0x7f;
    x = Math.floor(x / 128);
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
};
const tag = (no: number, wire: number) => varint((no << 3) | wire);
const intField = (no: number, v: number) => [...tag(no, 0), ...varint(v)];
const bytesField = (no: number, b: number[]) => [...tag(no, 2), ...varint(b.length), ...b];
const strField = (no: number, s: string) => bytesField(no, [...new TextEncoder().encode(s)]);
const f32Field = (no: number, v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...tag(no, 5), ...b];
};

/** SentencePiece piece types (sentencepiece_model.proto). */
export const SPM_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, BYTE: 6, UNUSED: 5 } as const;

/**
 * A unigram `tokenizer.model` with Gemma's special pieces (`<pad>`, `<eos>`, `<bos>`,
 * `<unk>` at ids 0-3) followed by `pieces` (normal, descending scores).
 */
export function tinySpmModel(pieces: readonly string[]): Uint8Array {
  const piece = (p: string, score: number, type: number) => bytesField(1, [...strField(1, p), ...f32Field(2, score), ...intField(3, type)]);
  const bytes = [
    ...piece('<pad>', 0, SPM_TYPE.CONTROL), ...piece('<eos>', 0, SPM_TYPE.CONTROL),
    ...piece('<bos>', 0, SPM_TYPE.CONTROL), ...piece('<unk>', 0, SPM_TYPE.UNKNOWN),
    ...pieces.flatMap((p, i) => piece(p, -1 - i, SPM_TYPE.NORMAL)),
    // trainer_spec: model_type unigram, vocab_size, unk 3, bos 2, eos 1, pad 0
    ...bytesField(2, [...intField(3, 1), ...intField(4, 4 + pieces.length), ...intField(40, 3), ...intField(41, 2), ...intField(42, 1), ...intField(43, 0)]),
    // normalizer_spec: name identity, add_dummy_prefix false
    ...bytesField(3, [...strField(1, 'identity'), ...intField(3, 0)]),
  ];
  return Uint8Array.from(bytes);
}
