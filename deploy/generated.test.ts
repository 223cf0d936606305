// What deploy/generate.sh derives must match its sources: the chart's CRDs are byte-for-byte
// crds/*.yaml, and deploy/manifests/kguardian.yaml is what the chart renders today.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART, REPO, helmBin, run } from './testing/helm.js';

const FIX = 'run bash deploy/generate.sh';
const sourceCrds = readdirSync(join(REPO, 'crds')).filter((f) => f.endsWith('.yaml')).sort();

describe('generated files', () => {
  it('the chart carries exactly the CRD files of crds/', () => {
    expect(readdirSync(join(CHART, 'crds')).sort(), FIX).toEqual(sourceCrds);
  });

  it.each(sourceCrds)('the chart\'s copy of crds/%s is identical', (file) => {
    expect(readFileSync(join(CHART, 'crds', file), 'utf8'), FIX).toBe(readFileSync(join(REPO, 'crds', file), 'utf8'));
  });

  it('deploy/manifests/kguardian.yaml is the chart rendered now', async () => {
    const r = await run('bash', [join(REPO, 'deploy', 'render-manifests.sh'), helmBin()]);
    expect(r.stderr).toBe('');
    expect(readFileSync(join(REPO, 'deploy', 'manifests', 'kguardian.yaml'), 'utf8'), FIX).toBe(r.stdout);
  });

  it('the plain manifests carry no generated password', () => {
    const text = readFileSync(join(REPO, 'deploy', 'manifests', 'kguardian.yaml'), 'utf8');
    expect(text).not.toMatch(/^kind: Secret$/m);
  });
});
