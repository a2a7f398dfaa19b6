/**
 * The engines the benchmark compares against, installed on first use into
 * `.bench-cache/peers` rather than as dependencies of the repository: node-llama-cpp's
 * prebuilt binaries for every platform weigh several hundred MB, which every `npm ci`
 * would download for a benchmark that few runs need. Versions are pinned so results stay
 * comparable; only the linux-x64 CPU binary of node-llama-cpp is fetched.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './make-model.js';

export const PEER_VERSIONS = {
  'node-llama-cpp': '3.21.1',
  '@wllama/wllama': '3.8.1',
} as const;

const PEERS_DIR = path.join(repoRoot, '.bench-cache/peers');

function installed(name: string, version: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8'));
    return pkg.version === version;
  } catch {
    return false;
  }
}

let ready: string | undefined;

/** Installs the pinned peers if needed (npm registry); returns their `node_modules` folder. */
export function ensurePeers(): string {
  if (ready) return ready;
  const specs = Object.entries(PEER_VERSIONS).filter(([n, v]) => !installed(n, v)).map(([n, v]) => `${n}@${v}`);
  if (specs.length > 0) {
    if (specs.some((s) => s.startsWith('node-llama-cpp@')) && process.platform === 'linux' && process.arch === 'x64') {
      specs.push(`@node-llama-cpp/linux-x64@${PEER_VERSIONS['node-llama-cpp']}`);
    }
    fs.mkdirSync(PEERS_DIR, { recursive: true });
    if (!fs.existsSync(path.join(PEERS_DIR, 'package.json'))) fs.writeFileSync(path.join(PEERS_DIR, 'package.json'), '{"private":true}\n');
    console.log(`installing benchmark peers into ${path.relative(repoRoot, PEERS_DIR)}: ${specs.join(' ')}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', ...specs], { cwd: PEERS_DIR, stdio: 'inherit' });
  }
  ready = path.join(PEERS_DIR, 'node_modules');
  return ready;
}
