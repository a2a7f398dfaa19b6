import { GGML_TYPES, GGMLType, parseGGMLType, requireGGMLType, rowBytes, tensorBytes, neToShape, alignUp, paddingFor, parseLlamaFileType, llamaFileTypeName } from '@ggufkit/tensor-layout';

describe('ggml type table', () => {
  it('has ggml block sizes and bytes for the quantized formats', () => {
    const expected: Record<string, [number, number]> = {
      Q4_0: [32, 18], Q4_1: [32, 20], Q5_0: [32, 22], Q5_1: [32, 24], Q8_0: [32, 34], Q8_1: [32, 36],
      Q2_K: [256, 84], Q3_K: [256, 110], Q4_K: [256, 144], Q5_K: [256, 176], Q6_K: [256, 210], Q8_K: [256, 292],
      IQ4_NL: [32, 18], IQ4_XS: [256, 136], BF16: [1, 2], F16: [1, 2], F32: [1, 4],
    };
    for (const [name, [bs, ts]] of Object.entries(expected)) {
      const info = parseGGMLType(name);
      expect([info.blockSize, info.typeSize]).toEqual([bs, ts]);
    }
  });
  it('ids are unique and names parse back case-insensitively', () => {
    const ids = new Set(GGML_TYPES.map((t) => t.id));
    expect(ids.size).toBe(GGML_TYPES.length);
    for (const t of GGML_TYPES) {
      expect(parseGGMLType(t.ggmlName).id).toBe(t.id);
      expect(requireGGMLType(t.id)).toBe(t);
    }
    expect(parseGGMLType('q4_k').ggmlName).toBe('q4_K');
    expect(() => parseGGMLType('q4_9')).toThrow(/unknown ggml type/);
    expect(() => requireGGMLType(4)).toThrow(/unknown ggml type id 4/);
  });
  it('computes row and tensor sizes', () => {
    expect(rowBytes(GGMLType.Q4_K, 4096)).toBe(16 * 144);
    expect(tensorBytes(GGMLType.Q8_0, [64, 3])).toBe(2 * 34 * 3);
    expect(() => rowBytes(GGMLType.Q4_K, 384)).toThrow(/not a multiple/);
    expect(neToShape([256, 4096])).toEqual([4096, 256]);
    expect(alignUp(33, 32)).toBe(64);
    expect(paddingFor(64, 32)).toBe(0);
  });
  it('parses llama.cpp ftype names', () => {
    expect(parseLlamaFileType('Q4_K_M')).toBe(15);
    expect(parseLlamaFileType('f32')).toBe(0);
    expect(llamaFileTypeName(18)).toBe('Q6_K');
  });
});
