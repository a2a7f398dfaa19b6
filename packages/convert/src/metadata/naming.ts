/**
 * The informational `general.*` naming keys, derived as gguf-py's `Metadata` heuristics
 * derive them from `config.json`'s `_name_or_path` and the model folder's name, and the
 * parameter-count size label (`6.8M`, `7B`).
 */

/** Python's `str.title()` for one word: upper-case the first letter of each letter run. */
function pyTitle(w: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of w) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

/** Python's `str.islower()`: at least one cased character and none upper-case. */
function pyIsLower(w: string): boolean {
  let cased = false;
  for (const ch of w) {
    if (ch.toLowerCase() !== ch.toUpperCase()) {
      cased = true;
      if (ch !== ch.toLowerCase()) return false;
    }
  }
  return cased;
}

/** Turns a model id component into a title (`tinyllama-1.1b` -> `Tinyllama 1.1b`), keeping acronyms and versions. */
export function idToTitle(s: string): string {
  return s.trim().replace(/-/g, ' ').split(/\s+/).filter((w) => w.length > 0)
    .map((w) => (pyIsLower(w) && !/^(v\d+(?:\.\d+)*|\d.*)$/.test(w) ? pyTitle(w) : w)).join(' ');
}

/** Components guessed from a model id such as `meta-llama/Llama-3.2-1B-Instruct`. */
export interface ModelIdComponents {
  fullName: string | undefined;
  organization: string | undefined;
  basename: string | undefined;
  finetune: string | undefined;
  version: string | undefined;
  sizeLabel: string | undefined;
}

type Tag = 'basename' | 'size_label' | 'finetune' | 'version' | 'type';
const isDecimal = (c: string) => /^[0-9]$/.test(c);

/** gguf-py's `Metadata.get_model_id_components`. */
export function modelIdComponents(modelId: string | undefined, totalParams = 0): ModelIdComponents {
  const none: ModelIdComponents = { fullName: undefined, organization: undefined, basename: undefined, finetune: undefined, version: undefined, sizeLabel: undefined };
  if (modelId === undefined) return none;
  if (modelId.includes(' ')) return { ...none, fullName: modelId };
  let org: string | undefined;
  let full: string;
  if (modelId.includes('/')) {
    const i = modelId.indexOf('/');
    org = modelId.slice(0, i);
    full = modelId.slice(i + 1);
  } else {
    full = modelId;
  }
  if (org !== undefined && org[0] === '.') org = undefined;
  const parts = full.split('-').filter((p) => p.length > 0);
  const tags: Set<Tag>[] = parts.map(() => new Set<Tag>());
  parts.forEach((part, i) => {
    if (/^(v|iter)?\d+([.]\d+)*$/i.test(part)) {
      tags[i]!.add('version');
    } else if (/^(i?q\d(_\w)*|b?fp?(16|32))$/i.test(part)) {
      tags[i]!.add('type');
      parts[i] = part.toUpperCase();
    } else if (i > 0 && /^(([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl)$/i.test(part)) {
      let p = part.replace(/_/g, '.');
      if (isDecimal(p[p.length - 1]!)) p = p.slice(0, -2) + '.' + p[p.length - 1] + p[p.length - 2];
      if (p.length > 1 && isDecimal(p[p.length - 2]!) && 'kmbt'.includes(p[p.length - 1]!)) p = p.slice(0, -1) + p[p.length - 1]!.toUpperCase();
      if (totalParams !== 0) {
        const scale = ' KMBT'.indexOf(p[p.length - 1]!);
        const num = Number(p.slice(0, -1));
        if (scale >= 0 && p.slice(0, -1).trim() !== '' && Number.isFinite(num)) {
          const labelParams = num * 1000 ** scale;
          if ((totalParams < 0 && labelParams < Math.floor(Math.abs(totalParams) / 8)) ||
            (totalParams > 0 && Math.abs(labelParams - totalParams) > Math.floor((7 * totalParams) / 8))) {
            tags[i]!.add('finetune');
            p = p.slice(0, -1) + p[p.length - 1]!.toLowerCase();
          }
        }
      }
      if (tags[i]!.size === 0) tags[i]!.add('size_label');
      parts[i] = p;
    } else if (i > 0 && /^(chat|instruct|vision|lora)$/i.test(part)) {
      tags[i]!.add(totalParams < 0 && part.toLowerCase() === 'lora' ? 'type' : 'finetune');
    }
  });
  if (parts.some((n, i) => tags[i]!.has('size_label') && [...n].some(isDecimal))) {
    parts.forEach((n, i) => {
      if (tags[i]!.has('size_label') && [...n].every((c) => /\p{L}/u.test(c))) tags[i]!.delete('size_label');
    });
  }
  let atStart = true;
  parts.forEach((part, i) => {
    const t = tags[i]!;
    if (atStart && ((t.size === 0 && /\p{L}/u.test(part[0]!)) || t.has('version'))) {
      t.add('basename');
    } else {
      atStart = false;
      if (t.size === 0) t.add('finetune');
    }
  });
  for (let i = parts.length - 1; i >= 0; i--) {
    const t = tags[i]!;
    if (t.has('basename') && t.size > 1) t.delete('basename');
    else break;
  }
  const join = (pred: (t: Set<Tag>) => boolean) => parts.filter((_, i) => pred(tags[i]!));
  let basename: string | undefined = join((t) => t.has('basename')).join('-') || undefined;
  const sizeLabel = [...new Set(join((t) => t.has('size_label')))].join('-') || undefined;
  const finetune = join((t) => t.has('finetune')).join('-') || undefined;
  const version = join((t) => t.has('version') && !t.has('basename')).join('-') || undefined;
  if (sizeLabel === undefined && finetune === undefined && version === undefined) basename = undefined;
  return { fullName: full, organization: org, basename, finetune, version, sizeLabel };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** gguf-py's `model_weight_count_rounded_notation`: `6.8M`, `1.1B`, `135M`. */
export function weightCountNotation(count: number, minDigits = 2): string {
  let scaled: number;
  let suffix: string;
  if (count > 1e12) { scaled = count * 1e-12; suffix = 'T'; }
  else if (count > 1e9) { scaled = count * 1e-9; suffix = 'B'; }
  else if (count > 1e6) { scaled = count * 1e-6; suffix = 'M'; }
  else { scaled = count * 1e-3; suffix = 'K'; }
  const digits = String(roundHalfEven(scaled)).replace(/^0+/, '').length;
  const fix = Math.max(minDigits - digits, 0);
  return `${scaled.toFixed(fix)}${suffix}`;
}

/** The naming keys gguf-py writes, in its order. */
export interface ModelNaming {
  name: string;
  version?: string;
  organization?: string;
  finetune?: string;
  basename?: string;
  sizeLabel?: string;
}

/**
 * Derives the naming keys from `_name_or_path` (when it is a hub id, not a path) and the
 * folder name, as gguf-py does when there is no model card override.
 */
export function deriveModelNaming(folderName: string, nameOrPath: unknown, totalParams: number): ModelNaming {
  const out: Partial<ModelNaming> = {};
  const apply = (id: string) => {
    const c = modelIdComponents(id, totalParams);
    if (out.name === undefined && c.fullName !== undefined) out.name = idToTitle(c.fullName);
    if (out.organization === undefined && c.organization !== undefined) out.organization = idToTitle(c.organization);
    if (out.basename === undefined && c.basename !== undefined) out.basename = c.basename;
    if (out.finetune === undefined && c.finetune !== undefined) out.finetune = c.finetune;
    if (out.version === undefined && c.version !== undefined) out.version = c.version;
    if (out.sizeLabel === undefined && c.sizeLabel !== undefined) out.sizeLabel = c.sizeLabel;
  };
  if (typeof nameOrPath === 'string' && (nameOrPath.match(/\//g)?.length ?? 0) <= 1) apply(nameOrPath);
  apply(folderName);
  if (out.name === undefined) out.name = folderName;
  if (out.sizeLabel === undefined && totalParams > 0) out.sizeLabel = weightCountNotation(totalParams);
  return out as ModelNaming;
}
