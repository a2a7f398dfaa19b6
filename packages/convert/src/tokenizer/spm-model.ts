/**
 * SentencePiece `tokenizer.model` (a serialized `ModelProto`): the pieces with their
 * scores and types, and the trainer/normalizer settings llama.cpp's converters consult.
 */
import { asBool, asBytes, asFloat, asInt32, asString, protoFields, ProtobufError } from './protobuf.js';

/** `SentencePiece.Type`. */
export const SpmPieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface SpmPiece {
  /** The piece text; raw bytes when they are not valid UTF-8. */
  readonly piece: string;
  readonly score: number;
  readonly type: number;
}

/** `TrainerSpec` fields that matter for conversion (protobuf defaults applied). */
export interface SpmTrainerSpec {
  /** 1 unigram, 2 BPE, 3 word, 4 char. */
  modelType: number;
  vocabSize: number;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  splitDigits: boolean;
  treatWhitespaceAsSuffix: boolean;
}

/** `NormalizerSpec` fields (protobuf defaults applied). */
export interface SpmNormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface SpmModel {
  readonly pieces: readonly SpmPiece[];
  readonly trainer: SpmTrainerSpec;
  readonly normalizer: SpmNormalizerSpec;
}

function parsePiece(bytes: Uint8Array, where: string): SpmPiece {
  let piece = '';
  let score = 0;
  let type: number = SpmPieceType.NORMAL;
  for (const f of protoFields(bytes, where)) {
    if (f.no === 1) piece = asString(f, where);
    else if (f.no === 2) score = asFloat(f, where);
    else if (f.no === 3) type = asInt32(f, where);
  }
  if (type < 1 || type > 6) throw new ProtobufError(`${where}: unknown piece type ${type}`);
  return { piece, score, type };
}

function parseTrainer(bytes: Uint8Array | undefined, where: string): SpmTrainerSpec {
  const t: SpmTrainerSpec = { modelType: 1, vocabSize: 8000, byteFallback: false, unkId: 0, bosId: 1, eosId: 2, padId: -1, splitDigits: false, treatWhitespaceAsSuffix: false };
  if (!bytes) return t;
  for (const f of protoFields(bytes, where)) {
    switch (f.no) {
      case 3: t.modelType = asInt32(f, where); break;
      case 4: t.vocabSize = asInt32(f, where); break;
      case 24: t.treatWhitespaceAsSuffix = asBool(f, where); break;
      case 25: t.splitDigits = asBool(f, where); break;
      case 35: t.byteFallback = asBool(f, where); break;
      case 40: t.unkId = asInt32(f, where); break;
      case 41: t.bosId = asInt32(f, where); break;
      case 42: t.eosId = asInt32(f, where); break;
      case 43: t.padId = asInt32(f, where); break;
      default: break;
    }
  }
  return t;
}

function parseNormalizer(bytes: Uint8Array | undefined, where: string): SpmNormalizerSpec {
  const n: SpmNormalizerSpec = { name: '', precompiledCharsmap: new Uint8Array(0), addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true };
  if (!bytes) return n;
  for (const f of protoFields(bytes, where)) {
    switch (f.no) {
      case 1: n.name = asString(f, where); break;
      case 2: n.precompiledCharsmap = asBytes(f, where); break;
      case 3: n.addDummyPrefix = asBool(f, where); break;
      case 4: n.removeExtraWhitespaces = asBool(f, where); break;
      case 5: n.escapeWhitespaces = asBool(f, where); break;
      default: break;
    }
  }
  return n;
}

/** Parses a `tokenizer.model` file. `name` appears in error messages. */
export function parseSpmModel(bytes: Uint8Array, name = 'tokenizer.model'): SpmModel {
  const pieces: SpmPiece[] = [];
  let trainer: Uint8Array | undefined;
  let normalizer: Uint8Array | undefined;
  for (const f of protoFields(bytes, name)) {
    if (f.no === 1) pieces.push(parsePiece(asBytes(f, name), `${name}: piece ${pieces.length}`));
    else if (f.no === 2) trainer = asBytes(f, name);
    else if (f.no === 3) normalizer = asBytes(f, name);
  }
  if (pieces.length === 0) throw new ProtobufError(`${name}: no pieces; not a SentencePiece model`);
  return { pieces, trainer: parseTrainer(trainer, `${name}: trainer_spec`), normalizer: parseNormalizer(normalizer, `${name}: normalizer_spec`) };
}
