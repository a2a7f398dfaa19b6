/**
 * A Hugging Face model folder as the converter sees it: a flat list of file names, each
 * readable as bytes. Node code backs it with the file system; browser code with `File`s.
 */
import { blobReader, bytesReader, type ByteReader } from './byte-reader.js';

export interface ModelDirectory {
  /** The folder's own name (the last path component), used for `general.name`. */
  readonly name: string;
  /** File names directly inside the folder. */
  list(): Promise<string[]>;
  /** True when `file` exists. */
  has(file: string): Promise<boolean>;
  /** Opens a file for random access. Rejects when it does not exist. */
  open(file: string): Promise<ByteReader>;
  /** The whole file as UTF-8 text, or `undefined` when it does not exist. */
  readText(file: string): Promise<string | undefined>;
  /** The whole file as bytes, or `undefined` when it does not exist. */
  readBytes(file: string): Promise<Uint8Array | undefined>;
}

/** A model folder from in-memory files (`Blob`s, `File`s or byte arrays) keyed by file name. */
export function memoryModelDirectory(name: string, files: Record<string, Blob | Uint8Array> | Map<string, Blob | Uint8Array>): ModelDirectory {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  const get = (file: string) => map.get(file);
  const toBytes = async (v: Blob | Uint8Array) => (v instanceof Uint8Array ? v : new Uint8Array(await v.arrayBuffer()));
  return {
    name,
    list: async () => [...map.keys()],
    has: async (file) => map.has(file),
    open: async (file) => {
      const v = get(file);
      if (v === undefined) throw new RangeError(`${name}/${file}: no such file`);
      return v instanceof Uint8Array ? bytesReader(v, `${name}/${file}`) : blobReader(v, `${name}/${file}`);
    },
    readBytes: async (file) => {
      const v = get(file);
      return v === undefined ? undefined : toBytes(v);
    },
    readText: async (file) => {
      const v = get(file);
      return v === undefined ? undefined : new TextDecoder().decode(await toBytes(v));
    },
  };
}

/** Parses a JSON file of the folder, naming the file when the JSON is malformed. */
export async function readJsonFile(dir: ModelDirectory, file: string): Promise<unknown | undefined> {
  const text = await dir.readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TypeError(`${dir.name}/${file}: invalid JSON: ${(e as Error).message}`);
  }
}
