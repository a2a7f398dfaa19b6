import { formatBytes } from './inspect-report.js';
import { formatParameters, type ModelSummary } from './model-summary.js';

/** Renders `inspect --summary` as aligned text. */
export function summaryText(s: ModelSummary, source: string): string {
  const rows: Array<[string, string]> = [];
  rows.push(['architecture', s.architecture ?? '(none)']);
  if (s.name !== null) rows.push(['name', s.name]);
  if (s.fileType !== null) rows.push(['file type', s.fileType]);
  if (s.blockCount !== null) rows.push(['layers', String(s.blockCount)]);
  if (s.embeddingLength !== null) rows.push(['embedding', String(s.embeddingLength)]);
  if (s.contextLength !== null) rows.push(['context', String(s.contextLength)]);
  rows.push(['parameters', `${formatParameters(s.parameters)} (${s.parameters.toLocaleString('en-US')})`]);
  rows.push(['tensors', String(s.tensors)]);
  rows.push(['tensor data', `${formatBytes(s.bytes)}, ${s.bitsPerWeight.toFixed(2)} bits per weight`]);
  const lines = [source];
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(13)} ${v}`);
  lines.push('');
  const table: string[][] = [['type', 'tensors', 'parameters', 'size', 'bpw', 'share']];
  for (const t of s.types) {
    table.push([t.type, String(t.tensors), t.parameters.toLocaleString('en-US'), formatBytes(t.bytes), t.bitsPerWeight.toFixed(2),
      `${(s.bytes > 0 ? (100 * t.bytes) / s.bytes : 0).toFixed(1)}%`]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table) lines.push('  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  return lines.join('\n') + '\n';
}
