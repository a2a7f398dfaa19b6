import type { BlockCodec } from '../codec.js';

/** The 256-value super-block formats (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K). */
export const kCodecs: BlockCodec[] = [];
