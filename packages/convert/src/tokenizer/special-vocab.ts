/**
 * Special token ids, "add BOS/EOS" flags, merges and the chat template, gathered as
 * gguf-py's `SpecialVocab` does: `tokenizer.json` added tokens resolved through
 * `tokenizer_config.json`'s `*_token` entries first, then `config.json`'s `*_token_id`.
 * The template comes from `tokenizer_config.json`, else `chat_template.jinja`, else
 * `chat_template.json`.
 */
import type { ModelDirectory } from '../io/model-dir.js';
import { readJsonFile } from '../io/model-dir.js';
import type { MetadataBuilder } from '../metadata/builder.js';
import { ADD_SPECIAL_TOKEN_KEYS, SPECIAL_TOKEN_ID_KEYS, TokenizerKeys } from '../metadata/keys.js';
import { normalizeMerges, parseMergesTxt } from './merges.js';
import type { TokenizerJson } from './tokenizer-json.js';

/** A named chat template (`tokenizer.chat_template.<name>`). */
export interface NamedChatTemplate { name: string; template: string }

export interface SpecialVocab {
  merges: string[];
  /** Special token ids by type (`bos`, `eos`, `unk`, `sep`, `pad`, `cls`, `mask`), in discovery order. */
  ids: Map<string, number>;
  /** `add_<type>_token` flags, in discovery order. */
  add: Map<string, boolean>;
  chatTemplate: string | NamedChatTemplate[] | undefined;
}

export interface SpecialVocabOptions {
  loadMerges?: boolean;
  /** Ids at or above this are ignored (gguf-py's `n_vocab`). */
  nVocab?: number;
  types?: readonly string[];
  /** Already parsed tokenizer.json, to avoid parsing a large file twice. */
  tokenizerJson?: TokenizerJson;
  /** Already parsed config.json. */
  config?: Record<string, unknown>;
}

const DEFAULT_TYPES = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const;

/** Loads the special vocabulary of a model folder. */
export async function loadSpecialVocab(dir: ModelDirectory, opts: SpecialVocabOptions = {}): Promise<SpecialVocab> {
  const types = opts.types ?? DEFAULT_TYPES;
  const sv: SpecialVocab = { merges: [], ids: new Map(), add: new Map(), chatTemplate: undefined };
  const setId = (typ: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) return;
    if (id < 0) throw new RangeError(`invalid value for special token type ${typ}: ${id}`);
    if (opts.nVocab !== undefined && id >= opts.nVocab) return;
    if (!sv.ids.has(typ)) sv.ids.set(typ, id);
  };

  const tokenizer = opts.tokenizerJson ?? (await readJsonFile(dir, 'tokenizer.json')) as TokenizerJson | undefined;
  if (tokenizer && opts.loadMerges) sv.merges = normalizeMerges(tokenizer.model?.merges);
  const addedTokens = tokenizer?.added_tokens ?? [];
  const config = (await readJsonFile(dir, 'tokenizer_config.json')) as Record<string, unknown> | undefined;
  if (config !== undefined && (typeof config !== 'object' || config === null)) throw new TypeError(`${dir.name}/tokenizer_config.json: not a JSON object`);
  if (config) {
    let alt: string | NamedChatTemplate[] | undefined;
    const jinja = await dir.readText('chat_template.jinja');
    if (jinja !== undefined) alt = jinja;
    else {
      const j = (await readJsonFile(dir, 'chat_template.json')) as { chat_template?: unknown } | undefined;
      if (typeof j?.chat_template === 'string') alt = j.chat_template;
    }
    const ct = 'chat_template' in config ? config['chat_template'] : alt;
    if (typeof ct === 'string') sv.chatTemplate = ct;
    else if (Array.isArray(ct)) {
      sv.chatTemplate = ct.filter((x): x is NamedChatTemplate => typeof x?.name === 'string' && typeof x?.template === 'string');
    }
    for (const typ of types) {
      const addEntry = config[`add_${typ}_token`];
      if (typeof addEntry === 'boolean') sv.add.set(typ, addEntry);
      const entry = config[`${typ}_token`];
      let content: string | undefined;
      if (typeof entry === 'string') content = entry;
      else if (typeof entry === 'object' && entry !== null && typeof (entry as { content?: unknown }).content === 'string') content = (entry as { content: string }).content;
      if (content === undefined) continue;
      setId(typ, addedTokens.find((a) => a.content === content)?.id);
    }
  }
  const modelConfig = opts.config ?? ((await readJsonFile(dir, 'config.json')) as Record<string, unknown> | undefined);
  if (modelConfig) {
    for (const typ of types) {
      let id = modelConfig[`${typ}_token_id`];
      const text = modelConfig['text_config'];
      if ((id === undefined || id === null) && typeof text === 'object' && text !== null) id = (text as Record<string, unknown>)[`${typ}_token_id`];
      setId(typ, id);
    }
  }
  if (opts.loadMerges && sv.merges.length === 0) {
    const txt = await dir.readText('merges.txt');
    if (txt !== undefined) sv.merges = parseMergesTxt(txt);
  }
  return sv;
}

/** Writes the special vocabulary into metadata in gguf-py's order: merges, ids, add flags, template. */
export function addSpecialVocab(sv: SpecialVocab, md: MetadataBuilder): void {
  if (sv.merges.length > 0) md.strArray(TokenizerKeys.MERGES, sv.merges);
  for (const [typ, id] of sv.ids) {
    const key = SPECIAL_TOKEN_ID_KEYS[typ];
    if (key) md.u32(key, id);
  }
  for (const [typ, v] of sv.add) {
    const key = ADD_SPECIAL_TOKEN_KEYS[typ];
    if (key) md.bool(key, v);
  }
  if (typeof sv.chatTemplate === 'string') md.str(TokenizerKeys.CHAT_TEMPLATE, sv.chatTemplate);
  else if (Array.isArray(sv.chatTemplate)) {
    const names: string[] = [];
    let fallback: string | undefined;
    for (const { name, template } of sv.chatTemplate) {
      const clean = name.replace(/[^a-zA-Z0-9]/g, '_');
      if (clean.length === 0) continue;
      if (clean === 'default') fallback = template;
      else {
        if (!names.includes(clean)) names.push(clean);
        md.str(`${TokenizerKeys.CHAT_TEMPLATE}.${clean}`, template);
      }
    }
    if (names.length > 0) md.strArray(TokenizerKeys.CHAT_TEMPLATES, names);
    if (fallback !== undefined) md.str(TokenizerKeys.CHAT_TEMPLATE, fallback);
  }
}
