/**
 * A restricted unpickler for PyTorch `data.pkl`: it understands only the records
 * `torch.save` uses for a state dict (dicts, tuples, numbers, strings, storage persistent
 * ids, `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter`, `collections.OrderedDict`)
 * and refuses every other global, so a malicious pickle cannot run code or build objects.
 */
import type { CheckpointDType } from './dtypes.js';

/** A pickle that uses something outside the allowed tensor-storage records, or is malformed. */
export class PickleError extends RangeError {
  override readonly name: string = 'PickleError';
}

/** A storage referenced by a persistent id: `('storage', <type>, key, location, numel)`. */
export interface PickledStorage { readonly kind: 'storage'; readonly dtype: CheckpointDType; readonly key: string; readonly numel: number }

/** A tensor record: a view of a storage. */
export interface PickledTensor {
  readonly kind: 'tensor';
  readonly storage: PickledStorage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

interface Global { readonly kind: 'global'; readonly name: string }
interface StorageType { readonly kind: 'storage-type'; readonly dtype: CheckpointDType }
type Value = null | boolean | number | string | Uint8Array | Value[] | Map<unknown, Value> | Global | StorageType | PickledStorage | PickledTensor | Tuple;
/** Tuples are frozen arrays so they can be told apart from lists. */
type Tuple = readonly Value[] & { readonly tuple: true };

const STORAGE_TYPES: Readonly<Record<string, CheckpointDType>> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

const ALLOWED_CALLABLES = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter']);

function tuple(items: Value[]): Tuple {
  return Object.freeze(Object.assign(items, { tuple: true as const })) as unknown as Tuple;
}

function findClass(module: string, name: string, where: string): Value {
  const full = `${module}.${name}`;
  if (module === 'torch' && name in STORAGE_TYPES) return { kind: 'storage-type', dtype: STORAGE_TYPES[name]! };
  if (ALLOWED_CALLABLES.has(full)) return { kind: 'global', name: full };
  throw new PickleError(`${where}: refusing pickle global "${full}": only tensor storage records are allowed in a checkpoint`);
}

function isInt(v: Value): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function intTuple(v: Value, what: string, where: string): number[] {
  if (!Array.isArray(v) || !v.every(isInt)) throw new PickleError(`${where}: ${what} is not a tuple of integers`);
  return [...(v as number[])];
}

function call(fn: Value, args: Value, where: string): Value {
  if (typeof fn !== 'object' || fn === null || (fn as Global).kind !== 'global') throw new PickleError(`${where}: REDUCE on something that is not an allowed callable`);
  if (!Array.isArray(args)) throw new PickleError(`${where}: REDUCE arguments are not a tuple`);
  const name = (fn as Global).name;
  if (name === 'collections.OrderedDict') return new Map();
  if (name === 'torch._utils._rebuild_parameter') {
    const t = args[0];
    if (typeof t !== 'object' || t === null || (t as PickledTensor).kind !== 'tensor') throw new PickleError(`${where}: _rebuild_parameter without a tensor`);
    return t;
  }
  const [storage, offset, size, stride] = args as Value[];
  if (typeof storage !== 'object' || storage === null || (storage as PickledStorage).kind !== 'storage') throw new PickleError(`${where}: _rebuild_tensor_v2 without a storage`);
  if (!isInt(offset!) || offset < 0) throw new PickleError(`${where}: bad storage offset`);
  return { kind: 'tensor', storage: storage as PickledStorage, offset, shape: intTuple(size!, 'size', where), stride: intTuple(stride!, 'stride', where) };
}

/** Unpickles `data.pkl` of a PyTorch checkpoint into name -> tensor record, in dict order. */
export function unpickleStateDict(bytes: Uint8Array, where: string): Map<string, PickledTensor> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw new PickleError(`${where}: truncated pickle at byte ${pos}`);
  };
  const u8 = () => { need(1); return bytes[pos++]!; };
  const u32le = () => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const take = (n: number) => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const text = (n: number) => new TextDecoder('utf-8', { fatal: true }).decode(take(n));
  const pop = (): Value => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) throw new PickleError(`${where}: stack underflow at byte ${pos}`);
    return stack.pop()!;
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError(`${where}: no MARK at byte ${pos}`);
    return stack.splice(m);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`${where}: unterminated GLOBAL at byte ${pos}`);
    const s = new TextDecoder().decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const setItems = (target: Value, items: Value[]) => {
    if (!(target instanceof Map)) throw new PickleError(`${where}: SETITEM on a non-dict`);
    if (items.length % 2 !== 0) throw new PickleError(`${where}: odd SETITEMS list`);
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]!);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME
      case 0x2e: { // STOP
        const top = pop();
        if (!(top instanceof Map)) throw new PickleError(`${where}: the pickle is not a dict of tensors`);
        const out = new Map<string, PickledTensor>();
        for (const [k, v] of top) {
          if (typeof k !== 'string') throw new PickleError(`${where}: non-string key in the state dict`);
          if (typeof v !== 'object' || v === null || (v as PickledTensor).kind !== 'tensor') throw new PickleError(`${where}: entry "${k}" is not a tensor`);
          out.set(k, v as PickledTensor);
        }
        return out;
      }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x71: memo.set(u8(), stack[stack.length - 1]!); break; // BINPUT
      case 0x72: memo.set(u32le(), stack[stack.length - 1]!); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1]!); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const i = op === 0x68 ? u8() : u32le();
        if (!memo.has(i)) throw new PickleError(`${where}: memo ${i} not defined`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x58: stack.push(text(u32le())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x42: stack.push(take(u32le()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x63: { const m = line(); const n = line(); stack.push(findClass(m, n, where)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const n = pop();
        const m = pop();
        if (typeof m !== 'string' || typeof n !== 'string') throw new PickleError(`${where}: STACK_GLOBAL needs two strings`);
        stack.push(findClass(m, n, where));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new PickleError(`${where}: unsupported persistent id`);
        const [, type, key, , numel] = pid as Value[];
        if (typeof type !== 'object' || type === null || (type as StorageType).kind !== 'storage-type') throw new PickleError(`${where}: persistent id without a storage type`);
        if (typeof key !== 'string' || !isInt(numel!)) throw new PickleError(`${where}: malformed storage persistent id`);
        stack.push({ kind: 'storage', dtype: (type as StorageType).dtype, key, numel: numel as number });
        break;
      }
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x4a: need(4); stack.push(dv.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: need(2); stack.push(dv.getUint16(pos, true)); pos += 2; break; // BININT2
      case 0x8a: { // LONG1
        const n = u8();
        if (n > 8) throw new PickleError(`${where}: integer of ${n} bytes is too large`);
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && (b[n - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new PickleError(`${where}: integer ${v} out of range`);
        stack.push(Number(v));
        break;
      }
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args, where)); break; } // REDUCE
      case 0x62: pop(); break; // BUILD: state of an allowed object (tensor __dict__) is ignored
      case 0x73: { const v = pop(); const k = pop(); setItems(stack[stack.length - 1] ?? null, [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(stack[stack.length - 1] ?? null, items); break; } // SETITEMS
      case 0x61: { const v = pop(); const l = stack[stack.length - 1]; if (!Array.isArray(l) || Object.isFrozen(l)) throw new PickleError(`${where}: APPEND on a non-list`); l.push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const l = stack[stack.length - 1]; if (!Array.isArray(l) || Object.isFrozen(l)) throw new PickleError(`${where}: APPENDS on a non-list`); l.push(...items); break; } // APPENDS
      default:
        throw new PickleError(`${where}: unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
