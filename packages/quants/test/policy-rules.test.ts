/**
 * llama.cpp's per-tensor rules (llama-quant.cpp, `llama_tensor_get_type`) on a synthetic
 * 32-layer llama with 32 heads and 8 KV heads (GQA 4). Each expectation restates one C++
 * rule; the shared llama.cpp files cover Q4_0, Q3_K_M, Q4_K_M and Q6_K end to end.
 */
import { ggmlTypeName, GGMLType as T } from '@ggufkit/tensor-layout';
import { planQuantization, type ModelShape } from '@ggufkit/quants';

const N = 32;
const llama32: ModelShape = { arch: 'llama', nLayer: N, nHead: 32, nHeadKV: 8, nExpert: 0 };

function tensors(nLayer: number, hidden = 4096, ffn = 11008) {
  const out = [
    { name: 'token_embd.weight', ne: [hidden, 32000], type: T.F16 },
    { name: 'output_norm.weight', ne: [hidden], type: T.F32 },
    { name: 'output.weight', ne: [hidden, 32000], type: T.F16 },
  ];
  for (let i = 0; i < nLayer; i++) {
    for (const [n, ne] of [
      ['attn_q', [hidden, hidden]], ['attn_k', [hidden, 1024]], ['attn_v', [hidden, 1024]], ['attn_output', [hidden, hidden]],
      ['ffn_gate', [hidden, ffn]], ['ffn_up', [hidden, ffn]], ['ffn_down', [ffn, hidden]],
    ] as const) out.push({ name: `blk.${i}.${n}.weight`, ne: [...ne], type: T.F16 });
    out.push({ name: `blk.${i}.attn_norm.weight`, ne: [hidden], type: T.F32 });
  }
  return out;
}

function typesOf(ftype: string, model = llama32, extra: { hasImatrix?: boolean; nLayer?: number } = {}) {
  const plan = planQuantization(tensors(extra.nLayer ?? model.nLayer), { ftype, model, hasImatrix: extra.hasImatrix });
  const m = new Map(plan.tensors.map((t) => [t.name, ggmlTypeName(t.toType)]));
  return (name: string) => m.get(name);
}

const moreBits = (i: number, n: number) => i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;
const layers = [...Array(N).keys()];

describe('llama.cpp quantization mixes on a 32-layer GQA llama', () => {
  it('norms and other 1-D tensors stay F32; output gets Q6_K unless the mix is Q8_0', () => {
    for (const f of ['Q2_K', 'Q3_K_S', 'Q4_K_M', 'Q5_K_S', 'Q6_K', 'Q4_0', 'Q5_1']) {
      const t = typesOf(f);
      expect([f, t('output_norm.weight'), t('blk.7.attn_norm.weight'), t('output.weight')]).toEqual([f, 'F32', 'F32', 'Q6_K']);
    }
    expect(typesOf('Q8_0')('output.weight')).toBe('Q8_0');
  });

  it('Q2_K: attn_v Q4_K when GQA >= 4 (else Q3_K), ffn_down and attn_output Q3_K, token_embd Q2_K', () => {
    const t = typesOf('Q2_K');
    expect([t('blk.0.attn_v.weight'), t('blk.5.ffn_down.weight'), t('blk.5.attn_output.weight'), t('token_embd.weight'), t('blk.5.attn_q.weight')])
      .toEqual(['Q4_K', 'Q3_K', 'Q3_K', 'Q2_K', 'Q2_K']);
    expect(typesOf('Q2_K', { ...llama32, nHeadKV: 32 })('blk.0.attn_v.weight')).toBe('Q3_K');
  });

  it('Q3_K_S: every quantized tensor Q3_K except output', () => {
    const t = typesOf('Q3_K_S');
    expect([t('blk.0.attn_v.weight'), t('blk.0.ffn_down.weight'), t('blk.9.attn_output.weight'), t('token_embd.weight')]).toEqual(['Q3_K', 'Q3_K', 'Q3_K', 'Q3_K']);
  });

  it('Q3_K_M: attn_v Q5_K for the first two, then Q4_K; ffn_down Q5_K below n/16 then Q4_K; attn_output Q4_K', () => {
    const t = typesOf('Q3_K_M');
    expect(layers.map((i) => t(`blk.${i}.attn_v.weight`))).toEqual(layers.map((i) => (i < 2 ? 'Q5_K' : 'Q4_K')));
    expect(layers.map((i) => t(`blk.${i}.ffn_down.weight`))).toEqual(layers.map((i) => (i < 2 ? 'Q5_K' : 'Q4_K')));
    expect(t('blk.3.attn_output.weight')).toBe('Q4_K');
  });

  it('Q3_K_L: attn_v, ffn_down and attn_output Q5_K', () => {
    const t = typesOf('Q3_K_L');
    expect([t('blk.4.attn_v.weight'), t('blk.4.ffn_down.weight'), t('blk.4.attn_output.weight'), t('blk.4.ffn_up.weight')]).toEqual(['Q5_K', 'Q5_K', 'Q5_K', 'Q3_K']);
  });

  it('Q4_K_S: attn_v Q5_K for the first four; ffn_down Q5_K below n/8', () => {
    const t = typesOf('Q4_K_S');
    expect(layers.map((i) => t(`blk.${i}.attn_v.weight`))).toEqual(layers.map((i) => (i < 4 ? 'Q5_K' : 'Q4_K')));
    expect(layers.map((i) => t(`blk.${i}.ffn_down.weight`))).toEqual(layers.map((i) => (i < 4 ? 'Q5_K' : 'Q4_K')));
  });

  it('Q4_K_M and Q5_K_M: attn_v and ffn_down Q6_K on use_more_bits layers', () => {
    for (const [f, base] of [['Q4_K_M', 'Q4_K'], ['Q5_K_M', 'Q5_K']] as const) {
      const t = typesOf(f);
      expect(layers.map((i) => t(`blk.${i}.attn_v.weight`))).toEqual(layers.map((i) => (moreBits(i, N) ? 'Q6_K' : base)));
      expect(layers.map((i) => t(`blk.${i}.ffn_down.weight`))).toEqual(layers.map((i) => (moreBits(i, N) ? 'Q6_K' : base)));
      expect(t('blk.8.attn_output.weight')).toBe(base);
    }
  });

  it('Q5_K_S and Q6_K: one type throughout', () => {
    expect(typesOf('Q5_K_S')('blk.0.attn_v.weight')).toBe('Q5_K');
    expect(typesOf('Q6_K')('blk.0.ffn_down.weight')).toBe('Q6_K');
  });

  it('legacy mixes: one type throughout; with an imatrix Q4_0/Q5_0 protect ffn_down below n/8 with Q4_1/Q5_1', () => {
    for (const f of ['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0']) expect(typesOf(f)('blk.1.ffn_down.weight')).toBe(f);
    const t = typesOf('Q4_0', llama32, { hasImatrix: true });
    expect(layers.map((i) => t(`blk.${i}.ffn_down.weight`))).toEqual(layers.map((i) => (i < 4 ? 'Q4_1' : 'Q4_0')));
    expect(typesOf('Q5_0', llama32, { hasImatrix: true })('blk.0.ffn_down.weight')).toBe('Q5_1');
  });

  it('8 experts: attn_v and attn_k Q8_0, attn_output Q5_K for Q4_K_M', () => {
    const t = typesOf('Q4_K_M', { ...llama32, nExpert: 8 });
    expect([t('blk.10.attn_v.weight'), t('blk.10.attn_k.weight'), t('blk.10.attn_output.weight')]).toEqual(['Q8_0', 'Q8_0', 'Q5_K']);
  });

  it('80-layer llama (70B): attn_v bumped from Q4_K to Q5_K', () => {
    const t = typesOf('Q4_K_M', { ...llama32, nLayer: 80 });
    expect(t('blk.40.attn_v.weight')).toBe(moreBits(40, 80) ? 'Q6_K' : 'Q5_K');
    expect(t('blk.41.attn_v.weight')).toBe(moreBits(41, 80) ? 'Q6_K' : 'Q5_K');
  });

  it('float mixes convert every 2-D weight and leave 1-D tensors alone', () => {
    expect(typesOf('F32')('blk.0.attn_q.weight')).toBe('F32');
    expect(typesOf('BF16')('token_embd.weight')).toBe('BF16');
    expect(typesOf('F16')('blk.0.attn_norm.weight')).toBe('F32');
  });

  it('rows that are not whole K blocks fall back: Q4_K -> Q5_0, Q6_K -> Q8_0, Q3_K -> IQ4_NL, else F16', () => {
    const plan = (f: string, ne0: number) => planQuantization([{ name: 'blk.0.ffn_up.weight', ne: [ne0, 8], type: T.F16 }],
      { ftype: f, model: { ...llama32, nLayer: 1 } }).tensors[0]!.toType;
    expect(ggmlTypeName(plan('Q4_K_M', 384))).toBe('Q5_0');
    expect(ggmlTypeName(plan('Q6_K', 384))).toBe('Q8_0');
    expect(ggmlTypeName(plan('Q3_K_S', 384))).toBe('IQ4_NL');
    expect(ggmlTypeName(plan('Q5_K_S', 384))).toBe('Q5_1');
    expect(ggmlTypeName(plan('Q4_K_M', 100))).toBe('F16');
  });

  it('--pure and explicit output / token embedding types', () => {
    const pure = planQuantization(tensors(2), { ftype: 'Q4_K_M', model: { ...llama32, nLayer: 2 }, pure: true });
    expect(new Set(pure.tensors.filter((t) => t.ne.length > 1).map((t) => ggmlTypeName(t.toType)))).toEqual(new Set(['Q4_K']));
    const over = planQuantization(tensors(2), { ftype: 'Q4_K_M', model: { ...llama32, nLayer: 2 }, outputTensorType: T.Q8_0, tokenEmbeddingType: T.Q6_K });
    const m = new Map(over.tensors.map((t) => [t.name, ggmlTypeName(t.toType)]));
    expect([m.get('output.weight'), m.get('token_embd.weight')]).toEqual(['Q8_0', 'Q6_K']);
  });

  it('rejects an ftype it does not know', () => {
    expect(() => planQuantization(tensors(1), { ftype: 'IQ2_XXS', model: llama32 })).toThrow(/unsupported quantization type "IQ2_XXS"/);
  });
});
