/** safetensors header validation: valid files parse, malformed ones fail with messages naming file and tensor. */
import { bytesReader, CheckpointFormatError, memoryModelDirectory, openCheckpoint, openSafetensors } from '@ggufkit/convert';

/** Builds a safetensors file from a header object and a data section. */
function build(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const data = Uint8Array.from({ length: 24 }, (_, i) => i);

async function failure(bytes: Uint8Array): Promise<CheckpointFormatError> {
  try {
    await openSafetensors(bytesReader(bytes, 'model.safetensors'));
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointFormatError);
    return e as CheckpointFormatError;
  }
  throw new Error('expected a CheckpointFormatError');
}

describe('safetensors reader', () => {
  it('parses a valid header, sorts tensors by name and reads bytes by range', async () => {
    const bytes = build({
      __metadata__: { format: 'pt' },
      'b.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      'a.bias': { dtype: 'BF16', shape: [4], data_offsets: [16, 24] },
    }, data);
    const f = await openSafetensors(bytesReader(bytes, 'model.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.map((t) => [t.name, t.dtype, [...t.shape], t.byteLength])).toEqual([
      ['a.bias', 'BF16', [4], 8],
      ['b.weight', 'F32', [2, 2], 16],
    ]);
    expect(Array.from(await f.tensors[0]!.read())).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    expect(Array.from(await f.tensors[1]!.read())).toEqual(Array.from(data.subarray(0, 16)));
  });

  it('accepts scalars and empty tensors', async () => {
    const bytes = build({ s: { dtype: 'I64', shape: [], data_offsets: [0, 8] }, e: { dtype: 'F16', shape: [0, 3], data_offsets: [8, 8] } }, new Uint8Array(8));
    const f = await openSafetensors(bytesReader(bytes));
    expect(f.tensors.map((t) => t.byteLength)).toEqual([0, 8]);
  });

  it('rejects a file too short for the length prefix', async () => {
    expect((await failure(new Uint8Array(5))).message).toMatch(/model\.safetensors: file is 5 bytes/);
  });

  it('rejects a header length beyond the limit (not a safetensors file)', async () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigUint64(0, 0x7fffffffffn, true);
    expect((await failure(b)).message).toMatch(/header length \d+ exceeds the 100000000-byte limit/);
  });

  it('rejects a header running past the end of the file', async () => {
    const b = build({}, new Uint8Array(0));
    new DataView(b.buffer).setBigUint64(0, 1000n, true);
    expect((await failure(b)).message).toMatch(/header length 1000 runs past the end of the file/);
  });

  it('rejects invalid JSON and non-object headers', async () => {
    expect((await failure(build(null, data, '{"a": '))).message).toMatch(/header is not valid UTF-8 JSON/);
    expect((await failure(build(null, data, '[1, 2]'))).message).toMatch(/header is not a JSON object/);
  });

  it('rejects unsupported dtypes, naming the tensor', async () => {
    const e = await failure(build({ 'x.weight': { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, data));
    expect(e.tensor).toBe('x.weight');
    expect(e.message).toMatch(/model\.safetensors: tensor "x\.weight": unsupported dtype "F8_E4M3"/);
  });

  it('rejects malformed shapes and offsets', async () => {
    expect((await failure(build({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data))).message).toMatch(/tensor "t": "shape" must be an array of non-negative integers/);
    expect((await failure(build({ t: { dtype: 'F32', shape: [1], data_offsets: [4] } }, data))).message).toMatch(/"data_offsets" must be two non-negative integers/);
    expect((await failure(build({ t: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, data))).message).toMatch(/end before begin/);
  });

  it('rejects offsets outside the file', async () => {
    const e = await failure(build({ t: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data));
    expect(e.message).toMatch(/tensor "t": data_offsets \[0, 32\] run past the end of the data section \(24 bytes\)/);
  });

  it('rejects a byte size that does not match dtype x shape', async () => {
    const e = await failure(build({ t: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 16] } }, data));
    expect(e.message).toMatch(/tensor "t": holds 16 bytes but F16 x \[2, 3\] needs 12/);
  });

  it('rejects overlapping tensors', async () => {
    const e = await failure(build({
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    }, data));
    expect(e.message).toMatch(/tensor "b": data_offsets \[8, 16\] overlap tensor "a" \[0, 16\]/);
  });
});

describe('sharded checkpoints', () => {
  const part = (name: string) => build({ [name]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));

  it('lists tensors part by part in sorted part order', async () => {
    const dir = memoryModelDirectory('m', {
      'model-00002-of-00002.safetensors': part('a.weight'),
      'model-00001-of-00002.safetensors': part('z.weight'),
      'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify({ weight_map: { 'a.weight': 'model-00002-of-00002.safetensors', 'z.weight': 'model-00001-of-00002.safetensors' } })),
    });
    const ck = await openCheckpoint(dir);
    expect(ck.tensors.map((t) => t.name)).toEqual(['z.weight', 'a.weight']);
  });

  it('reports tensors the index names but no part holds', async () => {
    const dir = memoryModelDirectory('m', {
      'model-00001-of-00002.safetensors': part('z.weight'),
      'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify({ weight_map: { 'a.weight': 'model-00002-of-00002.safetensors', 'z.weight': 'model-00001-of-00002.safetensors' } })),
    });
    await expect(openCheckpoint(dir)).rejects.toThrow(/missing or incomplete model files \["model-00002-of-00002\.safetensors"\]; missing tensors: a\.weight/);
  });

  it('reports a tensor present in two parts', async () => {
    const dir = memoryModelDirectory('m', { 'model-1.safetensors': part('a.weight'), 'model-2.safetensors': part('a.weight') });
    await expect(openCheckpoint(dir)).rejects.toThrow(/model-2\.safetensors: tensor "a\.weight": also present in m\/model-1\.safetensors/);
  });

  it('reports a folder without weights', async () => {
    await expect(openCheckpoint(memoryModelDirectory('m', {}))).rejects.toThrow(/m: no model\*\.safetensors or pytorch_model\*\.bin weight files found/);
  });
});
