/**
 * Vitest global setup for the e2e project: real eBPF needs root and the built BPF object and
 * kg-loader. Without root the run fails loudly here instead of skipping (see require-root.ts).
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../playground/paths.js';
import { requireRoot } from '../netns/require-root.js';

export default function setup(): void {
  requireRoot('the end-to-end tests');
  execFileSync('make', ['-s', '-C', `${REPO_ROOT}bpf`], { stdio: 'inherit' });
}
