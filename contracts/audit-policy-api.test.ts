/**
 * The API group and version are spelt in one place: no production module outside this contract
 * writes them as a literal, so a version bump is one edit (the CRDs, the evaluator's watches and
 * status writes, the plugin and the authenticator all follow).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isTestCode, productionGraph } from '../scripts/lint/import-graph.js';
import { GROUP, GROUP_VERSION, VERSION } from './audit-policy-api.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LITERAL = /['"`]kguardian\.dev(\/v1alpha1)?['"`]/;

describe('the audit policy API coordinates', () => {
  it('are kguardian.dev/v1alpha1', () => {
    expect([GROUP, VERSION, GROUP_VERSION]).toEqual(['kguardian.dev', 'v1alpha1', 'kguardian.dev/v1alpha1']);
  });

  it('are written as a literal by no production module but this one', () => {
    const spelling = [...productionGraph(ROOT).keys()]
      .filter((f) => !isTestCode(f) && f !== 'contracts/audit-policy-api.ts')
      .filter((f) => LITERAL.test(readFileSync(`${ROOT}/${f}`, 'utf8')));
    expect(spelling).toEqual([]);
  });
});
