import type { BlockCodec } from '../codec.js';
import { q2KCodec } from './q2_k.js';
import { q3KCodec } from './q3_k.js';
import { q4KCodec } from './q4_k.js';
import { q5KCodec } from './q5_k.js';
import { q6KCodec } from './q6_k.js';
import { q8KCodec } from './q8_k.js';

export { q2KCodec, q3KCodec, q4KCodec, q5KCodec, q6KCodec, q8KCodec };
export { quantizeRowQ8K } from './q8_k.js';

/** The 256-value super-block formats (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K). */
export const kCodecs: BlockCodec[] = [q2KCodec, q3KCodec, q4KCodec, q5KCodec, q6KCodec, q8KCodec];
