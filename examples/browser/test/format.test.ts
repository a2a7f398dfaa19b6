/** Metadata value text of the demo's tables. */
import { formatF32 } from '../src/format.js';

describe('formatF32', () => {
  it('prints the shortest decimal that reads back as the same float32', () => {
    expect(formatF32(Math.fround(1e-5))).toBe('0.00001');
    expect(formatF32(Math.fround(1e-6))).toBe('0.000001');
    expect(formatF32(Math.fround(0.1))).toBe('0.1');
    expect(formatF32(500000)).toBe('500000');
    expect(formatF32(Math.fround(1 / 3))).toBe('0.33333334');
  });

  it('keeps infinities and NaN readable', () => {
    expect(formatF32(Infinity)).toBe('Infinity');
    expect(formatF32(NaN)).toBe('NaN');
  });
});
