import type { BlockCodec } from '../codec.js';
import { iq4_nlCodec } from './iq4_nl.js';
import { q4_0Codec } from './q4_0.js';
import { q4_1Codec } from './q4_1.js';
import { q5_0Codec } from './q5_0.js';
import { q5_1Codec } from './q5_1.js';
import { q8_0Codec } from './q8_0.js';
import { q8_1Codec } from './q8_1.js';

export { iq4_nlCodec, q4_0Codec, q4_1Codec, q5_0Codec, q5_1Codec, q8_0Codec, q8_1Codec };
export { quantizeRowQ8_0 } from './q8_0.js';
export { quantizeRowQ8_1 } from './q8_1.js';
export { IQ4_NL_VALUES } from './iq4_nl.js';

/** The 32-value block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL). */
export const legacyCodecs: BlockCodec[] = [q4_0Codec, q4_1Codec, q5_0Codec, q5_1Codec, q8_0Codec, q8_1Codec, iq4_nlCodec];
