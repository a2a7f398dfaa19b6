/** SentencePiece ModelProto parsing from hand-encoded protobuf bytes. */
import { parseSpmModel, ProtobufError, SpmPieceType } from '@ggufkit/convert';

// protobuf wire-format encoding, written from the protobuf encoding spec
const varint = (v: bigint): number[] => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
};
const tag = (no: number, wire: number) => varint(BigInt((no << 3) | wire));
const vField = (no: number, v: number | bigint) => [...tag(no, 0), ...varint(BigInt(v))];
const bytesField = (no: number, b: number[] | Uint8Array) => [...tag(no, 2), ...varint(BigInt(b.length)), ...b];
const strField = (no: number, s: string) => bytesField(no, [...new TextEncoder().encode(s)]);
const f32Field = (no: number, v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...tag(no, 5), ...b];
};
const piece = (p: string, score?: number, type?: number) => bytesField(1, [
  ...strField(1, p), ...(score !== undefined ? f32Field(2, score) : []), ...(type !== undefined ? vField(3, type) : []),
]);

describe('SentencePiece model parsing', () => {
  const model = Uint8Array.from([
    ...piece('<unk>', 0, SpmPieceType.UNKNOWN),
    ...piece('<s>', 0, SpmPieceType.CONTROL),
    ...piece('<0x0A>', 0, SpmPieceType.BYTE),
    ...piece('\u2581the', -1.5),
    ...piece('<user>', 0, SpmPieceType.USER_DEFINED),
    ...bytesField(2, [...vField(3, 2), ...vField(4, 5), ...vField(35, 1), ...vField(43, -1n), ...vField(41, 1), ...strField(2, 'm'), ...f32Field(10, 0.9995)]),
    ...bytesField(3, [...strField(1, 'identity'), ...vField(3, 0), ...bytesField(2, [1, 2, 3])]),
    ...vField(99, 7), // unknown field: skipped
  ]);

  it('reads pieces with scores and types (NORMAL when the type is absent)', () => {
    const m = parseSpmModel(model);
    expect(m.pieces.map((p) => [p.piece, p.score, p.type])).toEqual([
      ['<unk>', 0, 2], ['<s>', 0, 3], ['<0x0A>', 0, 6], ['\u2581the', -1.5, 1], ['<user>', 0, 4],
    ]);
  });

  it('reads the trainer and normalizer fields llama.cpp consults, with protobuf defaults', () => {
    const m = parseSpmModel(model);
    expect(m.trainer).toEqual({ modelType: 2, vocabSize: 5, byteFallback: true, unkId: 0, bosId: 1, eosId: 2, padId: -1, splitDigits: false, treatWhitespaceAsSuffix: false });
    expect(m.normalizer.name).toBe('identity');
    expect(m.normalizer.addDummyPrefix).toBe(false);
    expect(m.normalizer.removeExtraWhitespaces).toBe(true);
    expect(Array.from(m.normalizer.precompiledCharsmap)).toEqual([1, 2, 3]);
  });

  it('rejects truncated and malformed input', () => {
    expect(() => parseSpmModel(model.subarray(0, model.length - 5))).toThrow(ProtobufError);
    expect(() => parseSpmModel(Uint8Array.from([...tag(1, 2), 0x7f, 1, 2]))).toThrow(/length 127 at byte 2 exceeds the message size/);
    expect(() => parseSpmModel(Uint8Array.from([...tag(1, 3)]))).toThrow(/unsupported wire type 3/);
    expect(() => parseSpmModel(Uint8Array.from(vField(5, 1)))).toThrow(/no pieces/);
    expect(() => parseSpmModel(Uint8Array.from(piece('x', 0, 9)))).toThrow(/unknown piece type 9/);
  });
});
