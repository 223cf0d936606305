/**
 * The playground's "Try it yourself" lines work in another shell as printed: the export line sets
 * KGUARDIAN_BROKER_URL beside KUBECONFIG (the playground has no broker Service to port-forward to),
 * so the plugin commands after it need no --broker-url.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tryItLines } from '../../playground/show.js';

const LINES = tryItLines('/tmp/kg-playground/kubeconfig', '/tmp/kg-playground/kubectl', 'http://127.0.0.1:39090');

describe('the playground\'s try-it-yourself lines', () => {
  it('the export line, run by a shell, sets KUBECONFIG and KGUARDIAN_BROKER_URL', () => {
    const exported = LINES[0] ?? '';
    const out = execFileSync('bash', ['-c', `${exported}\nprintf '%s\\n' "$KUBECONFIG" "$KGUARDIAN_BROKER_URL"`], { encoding: 'utf8' });
    expect(out).toBe('/tmp/kg-playground/kubeconfig\nhttp://127.0.0.1:39090\n');
  });

  it('the plugin commands rely on it: none passes --broker-url', () => {
    const plugin = LINES.filter((l) => l.startsWith('kubectl kguardian'));
    expect(plugin.length).toBeGreaterThan(2);
    expect(plugin.filter((l) => l.includes('--broker-url'))).toEqual([]);
  });
});
