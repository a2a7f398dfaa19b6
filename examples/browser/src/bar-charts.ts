/**
 * Two hand-drawn SVG charts of where the bytes go: one bar per tensor type, and one
 * column per layer stacked by type. Both use the same color for a type.
 */
import { formatBytes } from './format.js';
import type { TensorBytesSummary } from './tensor-summary.js';

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#3b6fd8', '#e0803a', '#3aa57a', '#c64f6b', '#8a62c9', '#b5a131', '#3fa3b8', '#7d7d7d', '#d16fbf', '#5b8c3a'];

/** A stable color per type: types keep their rank in `summary.byType`. */
export function typeColors(summary: TensorBytesSummary): Map<string, string> {
  return new Map(summary.byType.map((t, i) => [t.type, PALETTE[i % PALETTE.length]!]));
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgRoot(width: number, height: number, label: string): SVGSVGElement {
  return el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, class: 'chart' });
}

/** Horizontal bars: one per tensor type, longest first. */
export function typeBarChart(summary: TensorBytesSummary): SVGSVGElement {
  const colors = typeColors(summary);
  const rowH = 26, labelW = 70, valueW = 150, barW = 300, pad = 6;
  const width = labelW + barW + valueW;
  const height = Math.max(1, summary.byType.length) * rowH + pad;
  const svg = svgRoot(width, height, 'bytes per tensor type');
  const max = Math.max(1, ...summary.byType.map((t) => t.bytes));
  summary.byType.forEach((t, i) => {
    const y = pad + i * rowH;
    const w = Math.max(1, (t.bytes / max) * barW);
    const g = el('g', { class: 'bar', 'data-type': t.type, 'data-bytes': t.bytes });
    g.append(
      el('text', { x: labelW - 8, y: y + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, t.type),
      el('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 2, fill: colors.get(t.type)! }),
      el('text', { x: labelW + w + 6, y: y + rowH / 2, 'dominant-baseline': 'middle', class: 'value' },
        `${formatBytes(t.bytes)} · ${t.tensors} · ${((100 * t.bytes) / summary.totalBytes).toFixed(1)}%`),
    );
    g.append(el('title', {}, `${t.type}: ${t.bytes} bytes in ${t.tensors} tensors`));
    svg.append(g);
  });
  return svg;
}

/** Columns: one per layer (blocks in order, then `other`), stacked by tensor type. */
export function layerColumnChart(summary: TensorBytesSummary): SVGSVGElement {
  const colors = typeColors(summary);
  const n = summary.byLayer.length;
  const left = 70, bottom = 34, top = 10, plotH = 170;
  const colW = Math.max(6, Math.min(56, Math.floor(640 / Math.max(1, n))));
  const width = left + n * colW + 10;
  const height = top + plotH + bottom;
  const svg = svgRoot(width, height, 'bytes per layer, stacked by tensor type');
  const max = Math.max(1, ...summary.byLayer.map((l) => l.bytes));
  // axis: zero and the tallest column
  svg.append(
    el('line', { x1: left - 4, y1: top + plotH, x2: width - 6, y2: top + plotH, class: 'axis' }),
    el('line', { x1: left - 4, y1: top, x2: width - 6, y2: top, class: 'grid' }),
    el('text', { x: left - 8, y: top, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'value' }, formatBytes(max)),
    el('text', { x: left - 8, y: top + plotH, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'value' }, '0'),
  );
  // label every k-th column so labels do not overlap
  const every = Math.max(1, Math.ceil(28 / colW));
  summary.byLayer.forEach((layer, i) => {
    const x = left + i * colW;
    const g = el('g', { class: 'column', 'data-layer': layer.layer, 'data-bytes': layer.bytes });
    let y = top + plotH;
    for (const t of summary.byType) {
      const b = layer.byType.get(t.type);
      if (!b) continue;
      const h = (b / max) * plotH;
      y -= h;
      g.append(el('rect', { x: x + 1, y, width: colW - 2, height: Math.max(h, 0.5), fill: colors.get(t.type)! }));
    }
    const name = layer.layer === 'other' ? 'other' : layer.layer.slice(4);
    if (i % every === 0 || layer.layer === 'other') {
      g.append(el('text', { x: x + colW / 2, y: top + plotH + 14, 'text-anchor': 'middle', class: 'value' }, name));
    }
    const parts = summary.byType.filter((t) => layer.byType.has(t.type)).map((t) => `${t.type} ${formatBytes(layer.byType.get(t.type)!)}`);
    g.append(el('title', {}, `${layer.layer}: ${formatBytes(layer.bytes)} (${parts.join(', ')})`));
    svg.append(g);
  });
  svg.append(el('text', { x: left + (n * colW) / 2, y: height - 4, 'text-anchor': 'middle', class: 'value' }, 'layer (blk.N; other = embeddings, output, norms)'));
  return svg;
}

/** A legend of the type colors. */
export function typeLegend(summary: TensorBytesSummary): HTMLElement {
  const colors = typeColors(summary);
  const ul = document.createElement('ul');
  ul.className = 'legend';
  for (const t of summary.byType) {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colors.get(t.type)!;
    li.append(swatch, t.type);
    ul.append(li);
  }
  return ul;
}
