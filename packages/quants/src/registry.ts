import { parseGGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from './codec.js';
import { legacyCodecs } from './legacy/index.js';
import { kCodecs } from './kquants/index.js';

const codecs = new Map<number, BlockCodec>([...legacyCodecs, ...kCodecs].map((c) => [c.type.id, c]));

/** The codec for a ggml type id or name; throws a `RangeError` when the type cannot be quantized here. */
export function getCodec(type: number | string): BlockCodec {
  const info = typeof type === 'string' ? parseGGMLType(type) : requireGGMLType(type);
  const codec = codecs.get(info.id);
  if (!codec) {
    throw new RangeError(`no block codec for ${info.name}; available: ${[...codecs.values()].map((c) => c.type.name).join(', ')}`);
  }
  return codec;
}

/** True when a codec exists for the type id. */
export function hasCodec(typeId: number): boolean {
  return codecs.has(typeId);
}

/** All registered codecs. */
export function listCodecs(): BlockCodec[] {
  return [...codecs.values()];
}
