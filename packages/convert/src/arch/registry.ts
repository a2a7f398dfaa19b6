/** The architectures ggufkit converts, looked up by `config.json` `architectures[0]`. */
import { gemma2, gemma3 } from './gemma.js';
import { llama } from './llama.js';
import { phi3 } from './phi3.js';
import { qwen2, qwen3 } from './qwen.js';
import type { ArchitectureDef } from './types.js';

export const ARCHITECTURES: readonly ArchitectureDef[] = [llama, qwen2, qwen3, phi3, gemma2, gemma3];

/** The architecture for a Hugging Face class name; throws listing the supported ones. */
export function findArchitecture(hfArchitecture: string): ArchitectureDef {
  const a = ARCHITECTURES.find((x) => x.hfArchitectures.includes(hfArchitecture));
  if (!a) {
    throw new RangeError(`architecture "${hfArchitecture}" is not supported; supported: ${ARCHITECTURES.flatMap((x) => x.hfArchitectures).join(', ')}`);
  }
  return a;
}

/** An architecture by its GGUF name (`llama`, `qwen2`, ...). */
export function architectureByName(name: string): ArchitectureDef {
  const a = ARCHITECTURES.find((x) => x.name === name);
  if (!a) throw new RangeError(`unknown GGUF architecture "${name}"; known: ${ARCHITECTURES.map((x) => x.name).join(', ')}`);
  return a;
}
