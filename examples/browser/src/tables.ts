/** The metadata and tensor tables. */
import type { GGUFMetadataEntry, GGUFTensorInfo } from '@ggufkit/gguf';
import { ggmlTypeName } from '@ggufkit/tensor-layout';
import { formatBytes, formatShape, formatValue, shorten, valueTypeLabel } from './format.js';

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** Fills `tbody` with one row per metadata entry (`data-key` on each row). */
export function renderMetadataTable(tbody: HTMLTableSectionElement, metadata: readonly GGUFMetadataEntry[]): void {
  tbody.replaceChildren();
  for (const e of metadata) {
    const row = tbody.insertRow();
    row.dataset.key = e.key;
    cell(row, e.key, 'key');
    cell(row, valueTypeLabel(e), 'type');
    const full = formatValue(e);
    const td = cell(row, shorten(full), 'value');
    if (full.length > td.textContent!.length) td.title = full;
  }
}

/** Fills `tbody` with one row per tensor, in file order. */
export function renderTensorTable(tbody: HTMLTableSectionElement, tensors: readonly GGUFTensorInfo[]): void {
  tbody.replaceChildren();
  tensors.forEach((t, i) => {
    const row = tbody.insertRow();
    row.dataset.name = t.name;
    cell(row, String(i), 'num');
    cell(row, t.name, 'key');
    cell(row, ggmlTypeName(t.type), 'type');
    cell(row, formatShape(t.ne), 'num');
    cell(row, formatBytes(t.byteLength), 'num');
    cell(row, `0x${t.offset.toString(16)}`, 'num');
  });
}
