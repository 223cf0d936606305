/** scripts/structure-report.ts counts what its method says: flow-end shapes, lines of code, the parts, the duplicates tool's line. */
import { describe, expect, it } from 'vitest';
import { endFields, endShapes, linesOfCode, partOf, readDuplicates } from '../../scripts/structure-report.js';

describe('endFields', () => {
  it.each([
    { title: 'an address and a pod', fields: ['ip', 'namespace', 'pod'], end: ['ip', 'namespace', 'pod'] },
    { title: 'a workload instead of a pod', fields: ['ip', 'workload'], end: ['ip', 'workload'] },
    { title: 'podName', fields: ['podName', 'ip', 'port'], end: ['ip', 'podname', 'port'] },
    { title: 'an address alone is not an end', fields: ['ip', 'port'], end: undefined },
    { title: 'a pod alone is not an end', fields: ['namespace', 'pod'], end: undefined },
    // A row flattening both ends: the end is the fields under the prefix, spelled as the others.
    { title: 'a flattened row (snake case)', fields: ['id', 'src_ip', 'src_pod', 'src_pod_uid', 'dst_ip', 'dst_pod', 'count'], end: ['ip', 'pod', 'poduid'] },
    { title: 'a flattened row (camel case)', fields: ['srcIp', 'srcNamespace', 'dstIp'], end: ['ip', 'namespace'] },
    { title: 'prefixes must match', fields: ['srcIp', 'dstPod'], end: undefined },
    { title: 'a field merely ending in ip', fields: ['skip', 'pod'], end: undefined },
  ])('$title', ({ fields, end }) => {
    expect(endFields(fields)).toEqual(end);
  });
});

describe('endShapes', () => {
  it('finds interfaces, type literals, zod objects and JSON schema properties, not values', () => {
    const source = [
      'interface A { ip?: string; namespace?: string; pod?: string }',
      'type B = { ip: string; pod: string };',
      'interface Pair { src: { ip: string; pod: string }; dst: { ip: string; pod: string } }',
      "const schema = z.object({ ip: z.string(), namespace: z.string(), pod: z.string() });",
      "const json = { type: 'object', properties: { ip: {}, pod: {} } };",
      "const value = { ip: '10.0.0.1', pod: 'web' };",
      'type C = z.infer<typeof schema>;',
    ].join('\n');
    expect(endShapes('f.ts', source).map((s) => `${s.line} ${s.name}`)).toEqual(['1 A', '2 B', '3 Pair.src', '4 schema', '5 json.properties']);
  });

  it.each([
    { title: 'optional members', source: 'interface A { ip: string; namespace?: string; pod?: string }', blank: false },
    { title: 'a required member', source: 'interface A { ip: string; namespace?: string; pod: string }', blank: true },
    { title: 'a required member that may be undefined', source: 'interface A { ip: string; pod: PodRef | undefined }', blank: false },
    { title: 'a row of prefixed columns', source: 'interface Row { id: number; src_ip: string; src_pod: string; port: number }', blank: true },
    { title: 'zod fields left optional', source: 'const s = z.object({ ip: ip, namespace: ns.optional(), pod: z.string().optional() });', blank: false },
    { title: 'a zod field always present', source: 'const s = z.object({ ip: ip, namespace: z.string().max(63), pod: z.string().optional() });', blank: true },
    // A default fills the blank in: the parsed end always holds the name.
    { title: "a zod field defaulting to ''", source: "const s = z.object({ ip: ip, namespace: z.string().optional().default(''), pod: p.optional() });", blank: true },
    { title: 'a JSON schema requiring only the address', source: "const j = { type: 'object', required: ['ip'], properties: { ip: {}, pod: {} } };", blank: false },
    { title: 'a JSON schema requiring the pod', source: "const j = { type: 'object', required: ['ip', 'pod'], properties: { ip: {}, pod: {} } };", blank: true },
    { title: 'a field outside the end does not count', source: 'interface A { ip: string; pod?: string; policyNamespace: string }', blank: false },
  ])("says whether a missing name can only be spelt '': $title", ({ source, blank }) => {
    expect(endShapes('f.ts', source).map((s) => s.blankMissing)).toEqual([blank]);
  });
});

describe('linesOfCode', () => {
  it('counts lines holding code, not blank or comment lines; a template counts every line it spans', () => {
    const source = ['/**', ' * doc', ' */', '// note', 'const a = 1; // why', '', '/* x */ const t = `one', '${a}', 'three`;'].join('\n');
    expect(linesOfCode(source)).toBe(4);
  });
});

describe('partOf', () => {
  it.each([
    ['daemons/broker/api/app.ts', 'daemons/broker'],
    ['daemons/listen-host.ts', 'other production'],
    ['contracts/flow-batch.ts', 'contracts'],
    ['policy/engine.test.ts', 'tests'],
    ['daemons/agent/testing/records.ts', 'tests'],
    ['test/e2e/pipeline.ts', 'tests'],
    ['bench/engine.bench.ts', 'benchmarks'],
    ['crds/schema/status.ts', 'other production'],
  ])('%s is counted in %s', (path, part) => {
    expect(partOf(path)).toBe(part);
  });
});

describe('readDuplicates', () => {
  it.each([
    {
      out: '183 pairs of places (781 files read), each sharing runs of 6 or more identical or same-shape lines (149 by shape alone, 130 of those marked boilerplate)\nD1 a.ts:1-6 ~ b.ts:1-6\n',
      pairs: 183,
      boilerplate: 130,
      files: 781,
    },
    { out: '1 pair of places (2 files read), each sharing runs of 6 or more identical or same-shape lines\n', pairs: 1, boilerplate: 0, files: 2 },
    { out: 'no duplicates (12 files read)\n', pairs: 0, boilerplate: 0, files: 12 },
    { out: 'no duplicates (1 file read)\n', pairs: 0, boilerplate: 0, files: 1 },
  ])('$out', ({ out, pairs, boilerplate, files }) => {
    expect(readDuplicates(out)).toMatchObject({ pairs, boilerplate, files });
  });

  it('refuses a run that did not finish', () => {
    expect(() => readDuplicates('90 pairs of places (500 files read)\nincomplete: time: 300 s\n')).toThrow(/did not finish/);
  });
});
