/**
 * A minimal protobuf wire-format reader, enough to walk SentencePiece's `ModelProto`
 * without a schema compiler: fields are visited in order and unknown ones skipped.
 */

/** Malformed protobuf bytes. */
export class ProtobufError extends RangeError {
  override readonly name: string = 'ProtobufError';
}

/** One field occurrence: its number, wire type and payload. */
export type ProtoField =
  | { no: number; wire: 0; value: bigint }
  | { no: number; wire: 1; bytes: Uint8Array }
  | { no: number; wire: 2; bytes: Uint8Array }
  | { no: number; wire: 5; bytes: Uint8Array };

/** Iterates the fields of one message. `where` names the message in error messages. */
export function* protoFields(buf: Uint8Array, where: string): Generator<ProtoField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtobufError(`${where}: truncated varint at byte ${pos}`);
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError(`${where}: varint longer than 10 bytes at byte ${pos}`);
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > buf.length) throw new ProtobufError(`${where}: field of ${n} bytes at byte ${pos} runs past the end (${buf.length} bytes)`);
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new ProtobufError(`${where}: field number 0 at byte ${pos}`);
    switch (wire) {
      case 0: yield { no, wire, value: varint() }; break;
      case 1: yield { no, wire, bytes: take(8) }; break;
      case 2: {
        const len = varint();
        if (len > BigInt(buf.length)) throw new ProtobufError(`${where}: length ${len} at byte ${pos} exceeds the message size`);
        yield { no, wire, bytes: take(Number(len)) };
        break;
      }
      case 5: yield { no, wire, bytes: take(4) }; break;
      default: throw new ProtobufError(`${where}: unsupported wire type ${wire} for field ${no} at byte ${pos}`);
    }
  }
}

/** The varint of a field as a signed 32-bit integer (protobuf `int32`). */
export function asInt32(f: ProtoField, where: string): number {
  if (f.wire !== 0) throw new ProtobufError(`${where}: field ${f.no} should be a varint`);
  return Number(BigInt.asIntN(32, f.value));
}

/** A varint field as a boolean. */
export function asBool(f: ProtoField, where: string): boolean {
  if (f.wire !== 0) throw new ProtobufError(`${where}: field ${f.no} should be a varint`);
  return f.value !== 0n;
}

/** A fixed32 field as a float. */
export function asFloat(f: ProtoField, where: string): number {
  if (f.wire !== 5) throw new ProtobufError(`${where}: field ${f.no} should be a 32-bit float`);
  return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
}

/** A length-delimited field's bytes. */
export function asBytes(f: ProtoField, where: string): Uint8Array {
  if (f.wire !== 2) throw new ProtobufError(`${where}: field ${f.no} should be length-delimited`);
  return f.bytes;
}

/** A length-delimited field as UTF-8 text. */
export function asString(f: ProtoField, where: string): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(asBytes(f, where));
}
