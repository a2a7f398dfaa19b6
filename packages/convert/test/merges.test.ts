import { normalizeMerges, parseMergesTxt } from '@ggufkit/convert';

describe('BPE merges', () => {
  it('keeps "a b" strings as they are', () => {
    expect(normalizeMerges(['Ġ t', 'h e'])).toEqual(['Ġ t', 'h e']);
  });

  it('joins ["a", "b"] pairs with a space, writing spaces inside parts as U+0120', () => {
    expect(normalizeMerges([['Ġ', 't'], ['a b', 'c']])).toEqual(['Ġ t', 'a\u0120b c']);
  });

  it('returns no merges for a missing or empty list', () => {
    expect(normalizeMerges(undefined)).toEqual([]);
    expect(normalizeMerges([])).toEqual([]);
  });

  it('rejects mixed and unknown formats', () => {
    expect(() => normalizeMerges(['a b', ['c', 'd']])).toThrow(/merge 1 is not a string/);
    expect(() => normalizeMerges([['a', 'b'], 'c d'])).toThrow(/merge 1 is not a pair of strings/);
    expect(() => normalizeMerges([42])).toThrow(/unknown merges format/);
  });

  it('reads merges.txt with and without a version line', () => {
    expect(parseMergesTxt('#version: 0.2\nĠ t\nh e\n')).toEqual(['Ġ t', 'h e']);
    expect(parseMergesTxt('Ġ t\n\nbad line here\n')).toEqual(['Ġ t']);
  });
});
