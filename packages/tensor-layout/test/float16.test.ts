import { f16ToF32, f32ToF16, bf16ToF32, f32ToBF16, f32ArrayToBF16, bf16ArrayToF32 } from '@ggufkit/tensor-layout';

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
const bitsOf = (x: number) => { f[0] = x; return u[0]!; };
const fromBits = (b: number) => { u[0] = b >>> 0; return f[0]!; };

describe('f16 codec', () => {
  it('round-trips every non-NaN f16 code exactly', () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const exp = (h >>> 10) & 0x1f;
      if (exp === 31 && (h & 0x3ff) !== 0) continue;
      if (f32ToF16(f16ToF32(h)) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('maps every f16 NaN code to a quiet NaN that converts back to the canonical quiet NaN of its sign', () => {
    const bad: number[] = [];
    let nans = 0;
    for (let h = 0; h < 65536; h++) {
      if (((h >>> 10) & 0x1f) !== 31 || (h & 0x3ff) === 0) continue;
      nans++;
      const x = f16ToF32(h);
      if (!Number.isNaN(x) || f32ToF16(x) !== ((h & 0x8000) | 0x7e00)) bad.push(h);
    }
    expect(nans).toBe(2046);
    expect(bad).toEqual([]);
  });

  it('rounds to nearest even at every midpoint between adjacent f16 values', () => {
    const bad: string[] = [];
    for (let h = 0; h < 0x7bff; h++) {
      const lo = f16ToF32(h);
      const hi = f16ToF32(h + 1);
      const mid = (lo + hi) / 2; // exact in f32: f16 has 11 significant bits
      const even = (h & 1) === 0 ? h : h + 1;
      const got = [Math.fround(mid) === mid, f32ToF16(mid), f32ToF16(-mid),
        // one f32 ulp either side of the midpoint decides by distance
        f32ToF16(fromBits(bitsOf(mid) - 1)), f32ToF16(fromBits(bitsOf(mid) + 1))];
      const want = [true, even, even | 0x8000, h, h + 1];
      if (got.some((g, i) => g !== want[i])) bad.push(`${h}: ${got} != ${want}`);
    }
    expect(bad).toEqual([]);
  });

  it('handles edge classes as ggml does', () => {
    expect(f32ToF16(0)).toBe(0);
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65519.996)).toBe(0x7bff); // below the rounding boundary 65520
    expect(f32ToF16(65520)).toBe(0x7c00); // ties away to infinity (even)
    expect(f32ToF16(1e30)).toBe(0x7c00);
    expect(f32ToF16(-Infinity)).toBe(0xfc00);
    expect(f32ToF16(2 ** -24)).toBe(1); // smallest subnormal
    expect(f32ToF16(2 ** -25)).toBe(0); // tie to even (zero)
    expect(f32ToF16(fromBits(bitsOf(2 ** -25) + 1))).toBe(1);
    expect(f32ToF16(1e-30)).toBe(0);
    expect(f32ToF16(NaN)).toBe(0x7e00);
    expect(f32ToF16(fromBits(0xffc00001))).toBe(0xfe00);
    expect(f32ToF16(fromBits(0x7f800001))).toBe(0x7e00); // signalling NaN
    expect(f32ToF16(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f32ToF16(fromBits(bitsOf(2 ** -14) - 1))).toBe(0x0400); // rounds up into the normal range
  });
});

describe('bf16 codec', () => {
  it('round-trips every non-NaN bf16 code exactly', () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const isNaN = ((h >>> 7) & 0xff) === 0xff && (h & 0x7f) !== 0;
      if (isNaN ? !Number.isNaN(bf16ToF32(h)) || f32ToBF16(bf16ToF32(h)) !== (h | 64) : f32ToBF16(bf16ToF32(h)) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('rounds to nearest even and quiets NaN as ggml does', () => {
    expect(f32ToBF16(fromBits(0x3f808000))).toBe(0x3f80); // tie, even stays
    expect(f32ToBF16(fromBits(0x3f818000))).toBe(0x3f82); // tie, odd rounds up
    expect(f32ToBF16(fromBits(0x3f808001))).toBe(0x3f81);
    expect(f32ToBF16(fromBits(0x7f7fffff))).toBe(0x7f80); // max float rounds to inf
    expect(f32ToBF16(fromBits(0x00000001))).toBe(0x0000); // subnormals kept, not flushed: rounds to 0 here
    expect(f32ToBF16(fromBits(0x00008000))).toBe(0x0000); // tie to even
    expect(f32ToBF16(fromBits(0x00018000))).toBe(0x0002);
    expect(f32ToBF16(fromBits(0x7f800001))).toBe(0x7fc0); // (i>>16)|64
    expect(f32ToBF16(fromBits(0xff812345))).toBe(0xffc1);
    const arr = f32ArrayToBF16(new Float32Array([1, -2, 0.5]));
    expect(Array.from(bf16ArrayToF32(arr))).toEqual([1, -2, 0.5]);
  });
});
