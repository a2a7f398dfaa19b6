import type { WriteProgress } from '@ggufkit/gguf';

/** Fields of one progress line. */
export interface ProgressFields {
  /** Bytes done so far. */
  done: number;
  /** Bytes in all. */
  total: number;
  /** Text after the percentage, e.g. `tensor 3/57 | 1.2 MB | 30.0 MB/s`. */
  detail: string;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/**
 * A progress line redrawn in place with a carriage return only: no ANSI escape
 * sequences (no colour, no cursor moves), for terminals where NO_COLOR is set.
 */
export class PlainProgressLine {
  readonly #label: string;
  readonly #stream: NodeJS.WritableStream;
  readonly #start = performance.now();
  #last = -Infinity;
  #width = 0;
  #drawn = false;
  #pending: ProgressFields | undefined;
  #lastDrawn: ProgressFields | undefined;

  constructor(label: string, stream: NodeJS.WritableStream = process.stderr) {
    this.#label = label;
    this.#stream = stream;
  }

  /** Records the new state; redraws at most every 100 ms, and once on reaching 100%. */
  update(f: ProgressFields): void {
    this.#pending = f;
    const now = performance.now();
    const finishing = f.done >= f.total && this.#lastDrawn?.done !== f.done;
    if (now - this.#last < REDRAW_MS && !finishing) return;
    this.#last = now;
    this.#draw(f);
  }

  /** Draws the last state if it is not on screen yet and ends the line (a no-op when nothing was drawn). */
  stop(): void {
    if (this.#pending && this.#pending.done !== this.#lastDrawn?.done) this.#draw(this.#pending);
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
    this.#pending = undefined;
    this.#lastDrawn = undefined;
  }

  #draw(f: ProgressFields): void {
    const frac = f.total > 0 ? Math.min(1, f.done / f.total) : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const elapsed = (performance.now() - this.#start) / 1000;
    const eta = frac > 0 ? elapsed * (1 - frac) / frac : Number.NaN;
    const line = `${this.#label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(frac * 100)}% | ${f.detail} | ETA ${formatEta(eta)}`;
    this.#stream.write(`\r${line.padEnd(this.#width)}`);
    this.#width = Math.max(this.#width, line.length);
    this.#drawn = true;
    this.#lastDrawn = f;
  }
}

/** The detail text of a GGUF write: tensor i of n, MB written, MB/s. */
export function writeProgressDetail(p: WriteProgress, seconds: number): string {
  const mb = p.bytesWritten / 1e6;
  return `tensor ${Math.min(p.tensorIndex + 1, p.tensorCount)}/${p.tensorCount} | ${mb.toFixed(1)} MB | ${(mb / Math.max(1e-3, seconds)).toFixed(1)} MB/s`;
}
