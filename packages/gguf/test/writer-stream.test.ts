/**
 * writeGGUF: the whole file (header, data, zero padding after every tensor including the
 * last) against hand-written bytes, every data form, size checks naming the tensor, sink
 * abort on failure, lazy one-tensor-at-a-time data pulls, and progress reports.
 */
import { GGMLType } from '@ggufkit/tensor-layout';
import { GGUFWriteError, layoutGGUF, memorySink, writableStreamSink, writeGGUF, type ByteSink, type TensorToWrite, type WriteProgress } from '@ggufkit/gguf';
import { concat, hex, padTo, toHex } from './writer-bytes.js';

const HEADER = padTo(
  hex(`
    47475546 03000000 0200000000000000 0000000000000000
    0100000000000000 77 01000000 0300000000000000 00000000 0000000000000000
    0100000000000000 71 02000000 2000000000000000 0200000000000000 08000000 2000000000000000
  `),
  32,
);
const W_DATA = hex('0000803f 00000040 00004040'); // 1.0, 2.0, 3.0 as f32
const Q_DATA = new Uint8Array(68).map((_, i) => i + 1);
const EXPECTED_FILE = concat(HEADER, padTo(W_DATA, 32), padTo(Q_DATA, 32));

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

describe('writeGGUF: bytes', () => {
  const dataForms: Array<[string, TensorToWrite['data'], TensorToWrite['data']]> = [
    ['Uint8Array', W_DATA, Q_DATA],
    ['typed array', new Float32Array([1, 2, 3]), Q_DATA],
    ['lazy function', async () => W_DATA, () => Promise.resolve(Q_DATA)],
    ['async iterable of chunks', () => chunks(W_DATA, 5), () => chunks(Q_DATA, 7)],
    ['sync iterable of chunks', () => [W_DATA.subarray(0, 4), W_DATA.subarray(4)], () => [Q_DATA]],
  ];
  for (const [form, w, q] of dataForms) {
    it(`writes header, data and padding (${form})`, async () => {
      const sink = memorySink();
      const result = await writeGGUF(sink, { metadata: [] }, [
        { name: 'w', ne: [3], type: GGMLType.F32, data: w },
        { name: 'q', ne: [32, 2], type: GGMLType.Q8_0, data: q },
      ]);
      expect(sink.closed).toBe(true);
      expect(toHex(sink.bytes())).toBe(toHex(EXPECTED_FILE));
      expect(result.fileSize).toBe(EXPECTED_FILE.length);
      expect(result.dataOffset).toBe(HEADER.length);
    });
  }

  it('writes the same file with the layout computed beforehand', async () => {
    const tensors: TensorToWrite[] = [
      { name: 'w', ne: [3], type: GGMLType.F32, data: W_DATA },
      { name: 'q', ne: [32, 2], type: GGMLType.Q8_0, data: Q_DATA },
    ];
    const sink = memorySink();
    await writeGGUF(sink, { metadata: [] }, tensors, { layout: layoutGGUF({ metadata: [] }, tensors) });
    expect(toHex(sink.bytes())).toBe(toHex(EXPECTED_FILE));
  });

  it.each([
    ['another name', { name: 'v', ne: [3], type: GGMLType.F32 }, /tensor 0 \("v"\) is not the layout's tensor 0 \("w"\)/],
    ['another shape', { name: 'w', ne: [3, 1], type: GGMLType.F32 }, /tensor 0 \("w"\) is not the layout's/],
    ['another type', { name: 'w', ne: [6], type: GGMLType.F16 }, /tensor 0 \("w"\) is not the layout's/],
  ])('refuses a layout computed for other tensors (%s) before writing', async (_, t, message) => {
    const log: string[] = [];
    const layout = layoutGGUF({ metadata: [] }, [{ name: 'w', ne: [3], type: GGMLType.F32 }]);
    const p = writeGGUF(recordingSink(log), { metadata: [] }, [{ ...t, data: new Uint8Array(12) }], { layout });
    await expect(p).rejects.toThrow(GGUFWriteError);
    await expect(p).rejects.toThrow(message);
    expect(log).toEqual(['abort']);
  });

  it('refuses a layout with another tensor count', async () => {
    const layout = layoutGGUF({ metadata: [] }, []);
    await expect(writeGGUF(memorySink(), { metadata: [] }, [{ name: 'w', ne: [3], type: GGMLType.F32, data: W_DATA }], { layout })).rejects.toThrow(/layout given has 0 tensors, but 1 are written/);
  });

  it('takes the tensor list from an async iterable', async () => {
    async function* list(): AsyncGenerator<TensorToWrite> {
      yield { name: 'w', ne: [3], type: GGMLType.F32, data: W_DATA };
      yield { name: 'q', ne: [32, 2], type: GGMLType.Q8_0, data: Q_DATA };
    }
    const sink = memorySink();
    await writeGGUF(sink, { metadata: [] }, list());
    expect(toHex(sink.bytes())).toBe(toHex(EXPECTED_FILE));
  });

  it('writes a tensor-less file as just the padded header', async () => {
    const sink = memorySink();
    await writeGGUF(sink, { metadata: [] }, []);
    expect(toHex(sink.bytes())).toBe(toHex(hex('47475546 03000000 0000000000000000 0000000000000000 0000000000000000')));
  });
});

/** A sink that records calls, for checking order and abort. */
function recordingSink(log: string[]): ByteSink & { aborted: boolean; closed: boolean } {
  const s = {
    aborted: false,
    closed: false,
    async write(chunk: Uint8Array) {
      log.push(`write ${chunk.length}`);
    },
    async close() {
      s.closed = true;
      log.push('close');
    },
    async abort() {
      s.aborted = true;
      log.push('abort');
    },
  };
  return s;
}

describe('writeGGUF: checks and failures', () => {
  const cases: Array<[string, TensorToWrite[], RegExp]> = [
    ['too few bytes', [{ name: 'short', ne: [3], type: GGMLType.F32, data: new Uint8Array(11) }], /tensor "short": data has 11 bytes.*call for 12/],
    ['too many bytes', [{ name: 'long', ne: [3], type: GGMLType.F32, data: new Uint8Array(13) }], /tensor "long": data has more than the 12 bytes/],
    ['too many bytes across chunks', [{ name: 'long', ne: [3], type: GGMLType.F32, data: () => chunks(new Uint8Array(16), 8) }], /tensor "long": data has more than the 12 bytes/],
    ['duplicate names', [{ name: 'd', ne: [1], type: GGMLType.F32, data: new Uint8Array(4) }, { name: 'd', ne: [1], type: GGMLType.F32, data: new Uint8Array(4) }], /"d" appears twice/],
    ['unknown type', [{ name: 'u', ne: [1], type: 1000, data: new Uint8Array(4) }], /"u".*unknown ggml type id 1000/],
    ['partial block', [{ name: 'p', ne: [33], type: GGMLType.Q8_0, data: new Uint8Array(0) }], /"p".*33 is not a multiple of Q8_0's block size 32/],
    ['data that is not bytes', [{ name: 'x', ne: [1], type: GGMLType.F32, data: (() => 42) as never }], /tensor "x": data must be bytes/],
  ];
  for (const [what, tensors, message] of cases) {
    it(`rejects ${what} and aborts the sink`, async () => {
      const log: string[] = [];
      const sink = recordingSink(log);
      const p = writeGGUF(sink, { metadata: [] }, tensors);
      await expect(p).rejects.toThrow(GGUFWriteError);
      await expect(p).rejects.toThrow(message);
      expect(sink.aborted).toBe(true);
      expect(sink.closed).toBe(false);
    });
  }

  it('rejects an alignment that is not a power of two before writing anything', async () => {
    const log: string[] = [];
    await expect(writeGGUF(recordingSink(log), { metadata: [], alignment: 3 }, [])).rejects.toThrow(/not a power of two/);
    expect(log).toEqual(['abort']);
  });

  it('names the tensor when its data source throws, keeping the cause', async () => {
    const cause = new Error('disk on fire');
    const log: string[] = [];
    const sink = recordingSink(log);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(4);
      throw cause;
    }
    const err = await writeGGUF(sink, { metadata: [] }, [
      { name: 'ok', ne: [1], type: GGMLType.F32, data: new Uint8Array(4) },
      { name: 'bad', ne: [3], type: GGMLType.F32, data: failing },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GGUFWriteError);
    expect((err as Error).message).toMatch(/tensor "bad": reading its data failed: disk on fire/);
    expect((err as Error).cause).toBe(cause);
    expect(sink.aborted).toBe(true);
  });

  it('passes sink errors through unchanged and still aborts', async () => {
    const boom = new Error('ENOSPC');
    let aborted = false;
    const sink: ByteSink = {
      write: async () => {
        throw boom;
      },
      close: async () => undefined,
      abort: async () => {
        aborted = true;
      },
    };
    await expect(writeGGUF(sink, { metadata: [] }, [])).rejects.toBe(boom);
    expect(aborted).toBe(true);
  });

  it('stops when the abort signal fires', async () => {
    const ctl = new AbortController();
    const log: string[] = [];
    const reason = new Error('cancelled');
    const p = writeGGUF(recordingSink(log), { metadata: [] }, [
      { name: 'a', ne: [1], type: GGMLType.F32, data: async () => { ctl.abort(reason); return new Uint8Array(4); } },
    ], { signal: ctl.signal });
    await expect(p).rejects.toBe(reason);
    expect(log.at(-1)).toBe('abort');
  });
});

describe('writeGGUF: streaming', () => {
  it('pulls each tensor only when the previous one is written', async () => {
    const events: string[] = [];
    const sink: ByteSink = {
      write: async (c) => {
        events.push(`write ${c.length}`);
      },
      close: async () => {
        events.push('close');
      },
    };
    const big = (name: string) => ({
      name,
      ne: [1 << 19],
      type: GGMLType.F32,
      data: async () => {
        events.push(`pull ${name}`);
        return new Uint8Array(1 << 21);
      },
    });
    await writeGGUF(sink, { metadata: [] }, [big('a'), big('b'), big('c')]);
    // Large chunks pass straight to the sink, so each pull is followed by its own write.
    expect(events.filter((e) => e.startsWith('pull') || e === `write ${1 << 21}` || e === 'close')).toEqual([
      'pull a', `write ${1 << 21}`, 'pull b', `write ${1 << 21}`, 'pull c', `write ${1 << 21}`, 'close',
    ]);
  });

  it('reports progress up to the file size', async () => {
    const seen: WriteProgress[] = [];
    await writeGGUF(
      memorySink(),
      { metadata: [] },
      [
        { name: 'w', ne: [3], type: GGMLType.F32, data: W_DATA },
        { name: 'q', ne: [32, 2], type: GGMLType.Q8_0, data: () => chunks(Q_DATA, 34) },
      ],
      { onProgress: (p) => seen.push(p) },
    );
    expect(seen[0]).toEqual({ tensorIndex: 0, tensorCount: 2, tensorName: undefined, bytesWritten: HEADER.length, totalBytes: EXPECTED_FILE.length });
    const last = seen.at(-1)!;
    expect(last).toEqual({ tensorIndex: 1, tensorCount: 2, tensorName: 'q', bytesWritten: EXPECTED_FILE.length, totalBytes: EXPECTED_FILE.length });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesWritten).toBeGreaterThanOrEqual(seen[i - 1]!.bytesWritten);
    expect(seen.filter((p) => p.tensorName === 'q').map((p) => p.bytesWritten)).toEqual([
      HEADER.length + 32 + 34, HEADER.length + 32 + 68, EXPECTED_FILE.length,
    ]);
  });
});

describe('writableStreamSink', () => {
  it('writes the file through a WHATWG WritableStream and closes it', async () => {
    const got: Uint8Array[] = [];
    let closed = false;
    const stream = new WritableStream<Uint8Array>({
      write: (c) => {
        got.push(c.slice());
      },
      close: () => {
        closed = true;
      },
    });
    await writeGGUF(writableStreamSink(stream), { metadata: [] }, [
      { name: 'w', ne: [3], type: GGMLType.F32, data: W_DATA },
      { name: 'q', ne: [32, 2], type: GGMLType.Q8_0, data: Q_DATA },
    ]);
    expect(closed).toBe(true);
    expect(toHex(concat(...got))).toBe(toHex(EXPECTED_FILE));
  });

  it('aborts the stream when the write fails', async () => {
    let abortReason: unknown;
    const stream = new WritableStream<Uint8Array>({
      abort: (r) => {
        abortReason = r;
      },
    });
    const bad = [{ name: 'w', ne: [3], type: GGMLType.F32, data: new Uint8Array(1) }];
    await expect(writeGGUF(writableStreamSink(stream), { metadata: [] }, bad)).rejects.toThrow(GGUFWriteError);
    expect(abortReason).toBeInstanceOf(GGUFWriteError);
  });
});
