// The agent DaemonSet's privileges, tried on this kernel: kg-loader runs the way the chart runs it
// (uid 0, every capability dropped but CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, no_new_privs,
// read-only host mounts of the cgroup v2 root and tracefs) and must attach; with any of the three
// missing, or as a non-root uid, it must refuse with the line that names what is missing. The
// 64 KiB RLIMIT_MEMLOCK shows that CAP_SYS_RESOURCE is not needed on a kernel that charges BPF
// memory to the cgroup (5.11 and later). With --service-cidr, the same capabilities must also let it
// look Services up in conntrack (ctnetlink wants CAP_NET_ADMIN).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KG_LOADER } from '../test/netns/paths.js';
import { requireRoot } from '../test/netns/require-root.js';
import { find, parseObjects, renderChart } from './testing/helm.js';
import { onlyContainer } from './testing/workload.js';

interface Row {
  title: string;
  caps: string[];
  uid?: number;
  expected: RegExp;
}

/** The capabilities the chart's DaemonSet adds, as setpriv spells them. */
async function chartCaps(): Promise<string[]> {
  const agent = find(parseObjects(await renderChart()), 'DaemonSet', 'kguardian-agent');
  return (onlyContainer(agent).securityContext?.capabilities?.add ?? []).map((c) => c.toLowerCase());
}

function cgroup2Root(): string {
  const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[2] === 'cgroup2');
  if (!line) throw new Error('no cgroup v2 mount on this machine');
  return line.split(' ')[1] ?? '';
}

/** Runs kg-loader as a pod would, until it attaches or exits; returns what it wrote on stderr. */
function runLoader(dir: string, row: Row): Promise<string> {
  const mountDir = join(dir, 'host-cgroup');
  const who = row.uid === undefined ? '' : `--reuid ${row.uid} --regid ${row.uid} --clear-groups`;
  const script = [
    'set -e',
    `mkdir -p ${mountDir}`,
    `mount --bind ${cgroup2Root()} ${mountDir}`,
    `mount -o remount,bind,ro ${mountDir}`,
    'mount -o remount,bind,ro /sys/kernel/tracing',
    `exec setpriv ${who} --inh-caps=-all --bounding-set=-all,${row.caps.map((c) => `+${c}`).join(',')} --no-new-privs ` +
      `prlimit --memlock=65536:65536 ${KG_LOADER} --cgroup=${mountDir} --service-cidr=10.96.0.0/12`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    // Only for a loader that hangs: loading and verifying every program takes seconds when the
    // machine is busy, and a kill before "attached" would read as a missing privilege.
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('kg-loader: attached')) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(stderr);
    });
  });
}

const CHART = ['chart'];
const rows: Row[] = [
  {
    title: 'uid 0 with exactly the chart\'s capabilities attaches, conntrack lookups on',
    caps: CHART,
    expected: /kg-loader: conntrack lookups on for 1 service CIDR\(s\)\nkg-loader: attached \(tcp=on udp=on/,
  },
  // Kubernetes sets no ambient capabilities: a non-root uid execs kg-loader with an empty set.
  { title: 'a non-root uid with the same bounding set gets none of them', caps: CHART, uid: 10001, expected: /missing capability CAP_BPF/ },
  { title: 'without CAP_BPF it names CAP_BPF', caps: ['perfmon', 'net_admin'], expected: /missing capability CAP_BPF \(/ },
  { title: 'without CAP_PERFMON it names CAP_PERFMON', caps: ['bpf', 'net_admin'], expected: /missing capability CAP_PERFMON \(/ },
  { title: 'without CAP_NET_ADMIN it names CAP_NET_ADMIN', caps: ['bpf', 'perfmon'], expected: /missing capability CAP_NET_ADMIN \(/ },
];

describe('the agent DaemonSet\'s privileges on this kernel', () => {
  let dir = '';
  let caps: string[] = [];
  beforeAll(async () => {
    requireRoot('the agent privilege tests');
    dir = await mkdtemp(join(tmpdir(), 'kg-agent-privileges-'));
    caps = await chartCaps();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(rows)('$title', async (row) => {
    const stderr = await runLoader(dir, row.caps === CHART ? { ...row, caps } : row);
    expect(stderr).toMatch(row.expected);
    if (row.expected.source.startsWith('missing')) expect(stderr).not.toContain('kg-loader: attached');
  });
});
