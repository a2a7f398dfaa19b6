/**
 * `config.json` in both layouts transformers has used: v4 (`rope_theta`, `rope_scaling`,
 * `torch_dtype`) and v5 (`rope_parameters: {rope_theta, rope_type, ...}`, possibly per
 * attention type, and `dtype`). The normalised view always offers the v4 names, so the
 * architecture tables can read one spelling.
 */

/** Hyperparameters as a plain JSON object (v4 names guaranteed where derivable). */
export type HParams = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Normalises a parsed config.json. Multimodal configs get their `text_config` merged in. */
export function normalizeConfig(raw: unknown, file = 'config.json'): HParams {
  if (!isObject(raw)) throw new TypeError(`${file}: not a JSON object`);
  let h: HParams = { ...raw };
  const text = h['text_config'];
  if (isObject(text)) h = { ...h, ...text, architectures: h['architectures'] };
  if (h['torch_dtype'] === undefined && typeof h['dtype'] === 'string') h['torch_dtype'] = h['dtype'];
  const rp = h['rope_parameters'];
  if (isObject(rp)) {
    // Per-attention-type parameters (Gemma 3): full attention carries the global theta.
    const full = isObject(rp['full_attention']) ? rp['full_attention'] : rp;
    const local = isObject(rp['sliding_attention']) ? rp['sliding_attention'] : undefined;
    if (h['rope_theta'] === undefined && typeof full['rope_theta'] === 'number') h['rope_theta'] = full['rope_theta'];
    if (local && h['rope_local_base_freq'] === undefined && typeof local['rope_theta'] === 'number') h['rope_local_base_freq'] = local['rope_theta'];
    const type = full['rope_type'] ?? full['type'];
    if (h['rope_scaling'] === undefined && typeof type === 'string' && type !== 'default') {
      const { rope_theta: _theta, ...rest } = full;
      h['rope_scaling'] = { ...rest, rope_type: type, type };
    }
    if (h['partial_rotary_factor'] === undefined && typeof full['partial_rotary_factor'] === 'number') h['partial_rotary_factor'] = full['partial_rotary_factor'];
  }
  return h;
}

/** The first of `keys` present (not undefined) in the hyperparameters; throws when required and none is. */
export function findHParam(h: HParams, keys: readonly string[], optional: true): unknown;
export function findHParam(h: HParams, keys: readonly string[], optional?: false): unknown;
export function findHParam(h: HParams, keys: readonly string[], optional = false): unknown {
  for (const k of keys) if (k in h) return h[k];
  if (optional) return undefined;
  throw new RangeError(`config.json: could not find any of: ${keys.join(', ')}`);
}

/** A required integer hyperparameter. */
export function intParam(h: HParams, key: string | readonly string[]): number {
  const keys = typeof key === 'string' ? [key] : key;
  const v = findHParam(h, keys);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`config.json: "${keys.join('" / "')}" must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

/** A required number hyperparameter. */
export function numParam(h: HParams, key: string | readonly string[]): number {
  const keys = typeof key === 'string' ? [key] : key;
  const v = findHParam(h, keys);
  if (typeof v !== 'number') throw new RangeError(`config.json: "${keys.join('" / "')}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}
