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
}
