/**
 * The writer's input shapes (`HeaderToWrite`, `TensorToWrite` of `@ggufkit/gguf`'s
 * writer contract), declared structurally so a plan can be handed to the writer as is.
 */
import type { GGUFMetadataEntry } from '@ggufkit/gguf';

export interface PlannedHeader {
  version?: number;
  metadata: readonly GGUFMetadataEntry[];
  alignment?: number;
  bigEndian?: boolean;
}

export interface PlannedTensorData {
  name: string;
  /** Dimensions in GGUF order (`ne[0]` is the row length). */
  ne: readonly number[];
  /** ggml type id. */
  type: number;
  /** Produces the encoded bytes when called (reads and converts the source tensor). */
  data: () => Promise<Uint8Array>;
  /**
   * The same bytes as `data()`, as a stream of pieces that each hold whole rows (of
   * `ne[0]` values). Large checkpoint tensors are read and converted a block of rows at a
   * time, so memory holds one block instead of the whole tensor; other tensors come as
   * one piece.
   */
  stream: () => AsyncIterable<Uint8Array>;
  /**
   * Hands back a chunk that `stream` (or `data`) produced once nothing reads or writes it
   * any more, so its buffer can hold a later block. Optional for consumers: a chunk never
   * handed back is garbage collected.
   */
  recycle?: (chunk: Uint8Array) => void;
}
