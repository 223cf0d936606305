/**
 * crds/*.yaml are generated from crds/schema/: they must match what the generator writes
 * now, and the seed-example extraction must find whole manifests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidExamples, seedExamples, validExamples } from './examples.js';
import { staleCrds } from './generate.js';

describe('generated CRDs', () => {
  it('crds/*.yaml are up to date with crds/schema/ (run npx tsx crds/generate.ts)', () => {
    expect(staleCrds()).toEqual([]);
  });
});

describe('examples', () => {
  it('every valid and invalid example is named after its file, and every invalid one says what to expect', () => {
    expect(validExamples().length).toBeGreaterThan(0);
    expect(invalidExamples().every((e) => e.field.length > 0 && e.message.length > 0)).toBe(true);
  });

  it.each([
    {
      what: 'a manifest ending at prose',
      text: 'Intro:\napiVersion: kguardian.dev/v1alpha1\nkind: AuditNetworkPolicy\nmetadata:\n  name: a\nspec:\n  podSelector: {}\nkubectl get kganp shows it.\n',
      found: [{ name: 'a', text: 'apiVersion: kguardian.dev/v1alpha1\nkind: AuditNetworkPolicy\nmetadata:\n  name: a\nspec:\n  podSelector: {}\n' }],
    },
    {
      // Comments belong to the manifest; the next apiVersion line starts another.
      what: 'two manifests, one with trailing comments',
      text: 'apiVersion: kguardian.dev/v1alpha1\nkind: X\nmetadata:\n  name: b\n# note\napiVersion: kguardian.dev/v1alpha1\nkind: X\nmetadata:\n  name: c\n',
      found: [
        { name: 'b', text: 'apiVersion: kguardian.dev/v1alpha1\nkind: X\nmetadata:\n  name: b\n# note\n' },
        { name: 'c', text: 'apiVersion: kguardian.dev/v1alpha1\nkind: X\nmetadata:\n  name: c\n' },
      ],
    },
  ])('seed extraction finds $what', ({ text, found }) => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-seeds-'));
    writeFileSync(join(dir, 'seed.txt'), text);
    expect(seedExamples(dir).map(({ name, text: t }) => ({ name, text: t }))).toEqual(found);
  });
});
