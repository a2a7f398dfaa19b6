/**
 * Metadata editing and tensor renaming as a rewrite: the result is writer input (header
 * plus lazily copied tensors) for `writeGGUF` / `writeGGUFFile`. Key order is kept:
 * replaced keys stay where they were, new keys go at the end in the order given.
 */
import { GGUFMetadataError, GGUFTensorError } from './errors.js';
import type { GGUFMetadataEntry } from './model.js';
import type { HeaderToWrite } from './serialize-header.js';
import { copyTensor, type GGUFTensorSource } from './tensor-copy.js';
import type { TensorToWrite } from './writer.js';

/** Changes to apply to a file. */
export interface GGUFEdits {
  /** Entries to set: an existing key is replaced in place (its type may change), a new key is appended. */
  readonly set?: readonly GGUFMetadataEntry[];
  /** Keys to remove. Every key must exist. */
  readonly delete?: readonly string[];
  /** Tensor renames, old name to new name. Every old name must exist. */
  readonly renameTensors?: Readonly<Record<string, string>>;
}

/** Writer input produced by {@link editGGUF}. */
export interface EditedGGUF {
  readonly header: HeaderToWrite;
  readonly tensors: TensorToWrite[];
}

function fileName(file: GGUFTensorSource): string | undefined {
  return file.source?.name;
}

/**
 * Applies `edits` to `file`'s header and returns what to write: same version and byte
 * order, edited metadata, every tensor (renamed where asked) with its data copied from
 * `file` when written. The alignment follows the edited `general.alignment` (32 without it).
 * Throws `GGUFMetadataError` for a missing or conflicting key and `GGUFTensorError` for a
 * missing tensor or a rename that would duplicate a name.
 */
export function editGGUF(file: GGUFTensorSource, edits: GGUFEdits): EditedGGUF {
  const name = fileName(file);
  const opts = name !== undefined ? { file: name } : {};
  const deleted = new Set(edits.delete ?? []);
  const present = new Set(file.metadata.map((e) => e.key));
  for (const k of deleted) {
    if (!present.has(k)) throw new GGUFMetadataError(`cannot delete metadata key "${k}": not present`, opts);
  }
  const setByKey = new Map<string, GGUFMetadataEntry>();
  for (const e of edits.set ?? []) {
    if (deleted.has(e.key)) throw new GGUFMetadataError(`metadata key "${e.key}" is both set and deleted`, opts);
    if (setByKey.has(e.key)) throw new GGUFMetadataError(`metadata key "${e.key}" is set twice`, opts);
    setByKey.set(e.key, e);
  }

  const metadata: GGUFMetadataEntry[] = [];
  for (const e of file.metadata) {
    if (deleted.has(e.key)) continue;
    metadata.push(setByKey.get(e.key) ?? e);
  }
  for (const e of setByKey.values()) if (!present.has(e.key)) metadata.push(e);

  const renames = edits.renameTensors ?? {};
  const names = new Set(file.tensors.map((t) => t.name));
  for (const from of Object.keys(renames)) {
    if (!names.has(from)) throw new GGUFTensorError(`cannot rename tensor "${from}": not present`, opts);
  }
  const tensors = file.tensors.map((t) => copyTensor(file, t, { name: Object.hasOwn(renames, t.name) ? renames[t.name]! : t.name }));
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new GGUFTensorError(`renaming would give two tensors the name "${t.name}"`, opts);
    seen.add(t.name);
  }

  return { header: { version: file.version, bigEndian: file.bigEndian, metadata }, tensors };
}
