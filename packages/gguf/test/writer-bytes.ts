/**
 * Test helpers for writing expected bytes by hand: hex text (spaces and line breaks
 * ignored) and concatenation with zero padding.
 */

/** Bytes from hex text such as `"47475546 03000000"`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Concatenation of byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `bytes` followed by zeros up to a multiple of `alignment`. */
export function padTo(bytes: Uint8Array, alignment: number): Uint8Array {
  const total = Math.ceil(bytes.length / alignment) * alignment;
  return concat(bytes, new Uint8Array(total - bytes.length));
}

/** Hex dump for readable failure messages. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
