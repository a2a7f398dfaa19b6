import cliProgress from 'cli-progress';
import type { WriteProgress } from '@ggufkit/gguf';
import { PlainProgressLine, writeProgressDetail } from './plain-progress.js';

/** A progress reporter for writes: a bar on a TTY (stderr), nothing otherwise. */
export interface WriteProgressBar {
  update(p: WriteProgress): void;
  stop(): void;
}

/** True when progress bars should be drawn: stderr is a terminal. */
export function progressEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

/**
 * True when output may carry ANSI colour and cursor sequences: stderr is a terminal
 * and NO_COLOR is unset or empty (https://no-color.org).
 */
export function colorEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
}

/** Creates a bar showing tensor i of n, MB written and MB/s; a no-op when not on a TTY. */
export function writeProgressBar(label: string): WriteProgressBar {
  if (!progressEnabled()) return { update() {}, stop() {} };
  if (!colorEnabled()) return plainWriteProgressBar(label);
  const bar = new cliProgress.SingleBar({
    format: `${label} \u001b[36m{bar}\u001b[0m {percentage}% | tensor {tensor}/{tensors} | {mb} MB | {rate} MB/s | ETA {eta_formatted}`,
    hideCursor: true,
    stream: process.stderr,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  const start = performance.now();
  let started = false;
  return {
    update(p) {
      const payload = {
        tensor: Math.min(p.tensorIndex + 1, p.tensorCount), tensors: p.tensorCount,
        mb: (p.bytesWritten / 1e6).toFixed(1),
        rate: (p.bytesWritten / 1e6 / Math.max(1e-3, (performance.now() - start) / 1000)).toFixed(1),
      };
      if (!started) { bar.start(p.totalBytes, p.bytesWritten, payload); started = true; } else bar.update(p.bytesWritten, payload);
    },
    stop() { if (started) bar.stop(); },
  };
}

/** The NO_COLOR form of {@link writeProgressBar}: the same fields, redrawn with `\r` only. */
function plainWriteProgressBar(label: string): WriteProgressBar {
  const line = new PlainProgressLine(label);
  const start = performance.now();
  return {
    update(p) { line.update({ done: p.bytesWritten, total: p.totalBytes, detail: writeProgressDetail(p, (performance.now() - start) / 1000) }); },
    stop() { line.stop(); },
  };
}
