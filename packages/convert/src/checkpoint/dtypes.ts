/** Element types a checkpoint tensor may have, as safetensors names them. */
export type CheckpointDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each supported dtype. */
export const DTYPE_SIZE: Readonly<Record<CheckpointDType, number>> = Object.freeze({
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
});

/** True for a dtype name the converter can read. */
export function isCheckpointDType(name: string): name is CheckpointDType {
  return Object.prototype.hasOwnProperty.call(DTYPE_SIZE, name);
}
