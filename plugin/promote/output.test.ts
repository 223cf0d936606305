/**
 * --output-dir file names: one file per NetworkPolicy, never shared. NAMESPACE.NAME is
 * unambiguous because a namespace (a DNS label) has no dot; two policies bound for one file are
 * refused before anything is written.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { fileName, renderPolicies, writePolicies } from './output.js';
import type { NetworkPolicyObject } from './strip.js';

function np(namespace: string, name: string): NetworkPolicyObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {} } };
}

describe('the shape of printed policies', () => {
  const one = [np('prod', 'db')];
  const two = [np('prod', 'db'), np('prod', 'web')];
  const list = (nps: NetworkPolicyObject[]): unknown => ({ apiVersion: 'v1', kind: 'List', items: nps });
  it.each([
    { title: 'one policy, json: the object', nps: one, format: 'json' as const, asList: false, parse: JSON.parse, want: one[0] },
    { title: 'two policies, json: a List', nps: two, format: 'json' as const, asList: false, parse: JSON.parse, want: list(two) },
    // --all: a script reading `.items` works whether one or many policies matched.
    { title: '--all, one policy, json: still a List', nps: one, format: 'json' as const, asList: true, parse: JSON.parse, want: list(one) },
    { title: '--all, two policies, json: a List', nps: two, format: 'json' as const, asList: true, parse: JSON.parse, want: list(two) },
    { title: '--all, one policy, yaml: a List', nps: one, format: 'yaml' as const, asList: true, parse: (t: string) => yaml.load(t), want: list(one) },
    { title: '--all, two policies, yaml: a List', nps: two, format: 'yaml' as const, asList: true, parse: (t: string) => yaml.load(t), want: list(two) },
    { title: 'two policies, yaml: one document each', nps: two, format: 'yaml' as const, asList: false, parse: (t: string) => yaml.loadAll(t), want: two },
  ])('$title', ({ nps, format, asList, parse, want }) => {
    expect(parse(renderPolicies(nps, format, asList))).toEqual(want);
  });
});

describe('--output-dir file names', () => {
  it.each([
    { title: 'a dash in the namespace or in the name', a: np('team-a', 'db'), b: np('team', 'a-db') },
    { title: 'a dot in the name (names are DNS subdomains)', a: np('team', 'a.db'), b: np('team-a', 'db') },
    { title: 'the same name in two namespaces', a: np('prod', 'db'), b: np('staging', 'db') },
  ])('$title: distinct files', ({ a, b }) => {
    expect(fileName(a, 'yaml')).not.toBe(fileName(b, 'yaml'));
  });

  it('writes NAMESPACE.NAME.yaml with each policy in its own file', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kg-output-'));
    const nps = [np('team-a', 'db'), np('team', 'a-db')];
    const paths = await writePolicies('out', cwd, nps, 'yaml');
    expect(paths).toEqual([join('out', 'team-a.db.yaml'), join('out', 'team.a-db.yaml')]);
    expect(readdirSync(join(cwd, 'out')).sort()).toEqual(['team-a.db.yaml', 'team.a-db.yaml']);
    for (const [i, p] of paths.entries()) expect(yaml.load(readFileSync(join(cwd, p), 'utf8'))).toEqual(nps[i]);
  });

  it('refuses two policies bound for one file and writes nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kg-output-'));
    const twice = writePolicies('out', cwd, [np('prod', 'other'), np('prod', 'db'), { ...np('prod', 'db'), spec: { podSelector: { matchLabels: { a: 'b' } } } }], 'json');
    await expect(twice).rejects.toThrow(CliError);
    await expect(twice).rejects.toThrow('NetworkPolicy prod/db and NetworkPolicy prod/db would both be written to out/prod.db.json; nothing was written');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
