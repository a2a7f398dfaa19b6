import type { BlockCodec } from '../codec.js';

/** The 32-value block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL). */
export const legacyCodecs: BlockCodec[] = [];
