/**
 * SentencePiece vocabulary as llama.cpp's `_create_vocab_sentencepiece` builds it: pieces
 * with their scores and types from `tokenizer.model`, padded to `config.vocab_size` with
 * `[PAD<i>]` unused tokens, then overridden by `added_tokens.json` (user-defined) and
 * `tokenizer_config.json`'s `added_tokens_decoder` (control when special-looking).
 */
import type { ModelDirectory } from '../io/model-dir.js';
import { readJsonFile } from '../io/model-dir.js';
import { parseSpmModel, SpmPieceType, type SpmModel } from './spm-model.js';
import { doesTokenLookSpecial, TokenType, type GGUFVocab } from './token-types.js';

export interface SpmVocabOptions {
  /** `config.json`'s `vocab_size`, when known. */
  vocabSize?: number;
  /**
   * Phi-3's variant: added tokens are user-defined unless flagged special (no
   * special-looking heuristic, no space normalisation), and tokenizer.json's added
   * tokens are applied too.
   */
  phi3?: boolean;
}

function pieceType(t: number): number {
  switch (t) {
    case SpmPieceType.UNKNOWN: return TokenType.UNKNOWN;
    case SpmPieceType.CONTROL: return TokenType.CONTROL;
    case SpmPieceType.UNUSED: return TokenType.UNUSED;
    case SpmPieceType.BYTE: return TokenType.BYTE;
    // sentencepiece's user-defined pieces are plain tokens to llama.cpp
    default: return TokenType.NORMAL;
  }
}

/** Builds the vocabulary from an already parsed model plus the folder's added-token files. */
export async function buildSpmVocab(dir: ModelDirectory, spm: SpmModel, opts: SpmVocabOptions = {}): Promise<GGUFVocab> {
  const n = opts.vocabSize ?? spm.pieces.length;
  if (n < spm.pieces.length) {
    throw new RangeError(`${dir.name}: config vocab_size ${n} is smaller than tokenizer.model's ${spm.pieces.length} pieces`);
  }
  const tokens = Array.from({ length: n }, (_, i) => `[PAD${i}]`);
  const scores = new Float32Array(n).fill(-10000);
  const types = new Int32Array(n).fill(TokenType.UNUSED);
  spm.pieces.forEach((p, i) => {
    tokens[i] = p.piece;
    scores[i] = p.score;
    types[i] = pieceType(p.type);
  });
  const checkId = (id: number, file: string, text: string) => {
    if (!Number.isInteger(id) || id < 0 || id >= n) throw new RangeError(`${dir.name}/${file}: token ${JSON.stringify(text)} has id ${id}, outside the vocabulary (0..${n - 1})`);
  };
  const added = (await readJsonFile(dir, 'added_tokens.json')) as Record<string, number> | undefined;
  for (const [text, id] of Object.entries(added ?? {})) {
    if (typeof id !== 'number' || id >= n) continue; // llama.cpp ignores out-of-range ids here
    tokens[id] = text;
    scores[id] = -1000;
    types[id] = TokenType.USER_DEFINED;
  }
  const cfg = (await readJsonFile(dir, 'tokenizer_config.json')) as { added_tokens_decoder?: Record<string, { content?: unknown; special?: unknown }> } | undefined;
  for (const [idText, data] of Object.entries(cfg?.added_tokens_decoder ?? {})) {
    const id = Number(idText);
    if (typeof data?.content !== 'string') continue;
    let text = data.content;
    checkId(id, 'tokenizer_config.json', text);
    if (opts.phi3) types[id] = data.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
    else if (data.special || doesTokenLookSpecial(text)) types[id] = TokenType.CONTROL;
    else {
      text = text.replace(/\u2581/g, ' ');
      types[id] = TokenType.USER_DEFINED;
    }
    scores[id] = -1000;
    tokens[id] = text;
  }
  if (opts.phi3) {
    const tj = (await readJsonFile(dir, 'tokenizer.json')) as { added_tokens?: Array<{ id: number; content: string; special?: boolean }> } | undefined;
    for (const a of tj?.added_tokens ?? []) {
      checkId(a.id, 'tokenizer.json', a.content);
      tokens[a.id] = a.content;
      scores[a.id] = -1000;
      types[a.id] = a.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
    }
  }
  return { model: 'llama', pre: 'default', tokens, scores, types };
}

/** Reads `tokenizer.model` from the folder; `undefined` when there is none. */
export async function readSpmModel(dir: ModelDirectory): Promise<SpmModel | undefined> {
  const bytes = await dir.readBytes('tokenizer.model');
  return bytes === undefined ? undefined : parseSpmModel(bytes, `${dir.name}/tokenizer.model`);
}
