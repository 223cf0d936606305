/**
 * What a cluster may change on the host, read as plain sorted text so that two readings can be
 * compared with toEqual: scripts/cluster.sh down must leave every entry as up found it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HostState {
  /** Processes whose command line names the cluster's folder, or that run in its cgroups. */
  processes: string[];
  /** Mounts a cluster could leave (see clusterMount). */
  mounts: string[];
  netns: string[];
  links: string[];
  addresses: string[];
  routes: string[];
  /** iptables-save and ip6tables-save, without counters and comments with dates. */
  iptables: string[];
  ip6tables: string[];
  ipsets: string[];
  /** Folders two levels deep under /sys/fs/cgroup (each hierarchy and its top-level groups). */
  cgroups: string[];
  sysctls: string[];
  /** Paths a kubelet, containerd or the CNI plugins use by default, present or not. */
  paths: string[];
}

/**
 * Sysctls that move on their own (counters, random, per-process tables), and per-interface keys of
 * interfaces that come and go (their interfaces are compared in links).
 */
const VOLATILE_SYSCTL =
  /^(kernel\.random\.|kernel\.ns_last_pid|kernel\.pty\.nr|kernel\.tainted|fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|net\.netfilter\.nf_conntrack_count|net\.ipv[46]\.(conf|neigh)\.(?!all\.|default\.|lo\.|eth0\.)|net\.ipv6\.route\.gc_|vm\.stat_|kernel\.(sched_domain|perf_)|net\.core\.(netdev_rss_key|message_)|fs\.binfmt_misc)/;

/** The default paths of the pieces the cluster keeps in its own folder instead. */
const DEFAULT_PATHS = [
  '/etc/cni', '/opt/cni', '/var/lib/cni', '/etc/containerd', '/var/lib/containerd', '/run/containerd', '/opt/containerd',
  '/var/lib/kubelet', '/var/log/pods', '/var/log/containers', '/etc/kubernetes', '/run/netns', '/var/run/netns',
];

async function lines(cmd: string, args: string[]): Promise<string[]> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [`(${cmd} ${args.join(' ')} failed)`];
  }
}

async function processes(clusterDir: string, cgroupRoot: string): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8');
      if (cmdline.includes(clusterDir) || cgroups.split('\n').some((l) => l.split(':')[2]?.startsWith(`${cgroupRoot}/`))) {
        out.push(`${pid} ${cmdline}`);
      }
    } catch {
      // Gone while being read.
    }
  }
  return out;
}

async function cgroups(): Promise<string[]> {
  const out: string[] = [];
  for (const h of await readdir('/sys/fs/cgroup')) {
    try {
      for (const entry of await readdir(`/sys/fs/cgroup/${h}`, { withFileTypes: true })) {
        if (entry.isDirectory()) out.push(`${h}/${entry.name}`);
      }
    } catch {
      // Not a folder.
    }
  }
  return out;
}

/**
 * Mounts a cluster can leave: anything under its folder, network namespaces, cgroups, the default
 * folders of containerd and the kubelet, namespace files anywhere. Other mounts are left out: on a
 * shared machine other work (image builds) mounts and unmounts its own meanwhile.
 */
function clusterMount(mount: string, clusterDir: string): boolean {
  const [target = '', type = ''] = mount.split(' ');
  return type === 'nsfs' || target.startsWith(`${clusterDir}/`) ||
    ['/run/netns', '/var/run/netns', '/sys/fs/cgroup', '/run/containerd', '/var/lib/containerd', '/var/lib/kubelet']
      .some((p) => target === p || target.startsWith(`${p}/`));
}

/**
 * Entries that belong to another kguardian run on the same host, not to this cluster: the kernel
 * tests' labs (`kg` and 6 hex digits, 10.250.X.0/24 and fd00:4b47::/32), the playground's and the
 * end-to-end stack's (`kgp` and 4 hex digits, 10.252 and 10.253). Such a run may start or end while
 * this cluster is up; its interfaces, namespaces, routes, rules and cgroups are not this cluster's
 * leftovers, and the cluster's own names (`kgc*`, `veth*`, KUBE-*, CNI-*) and ranges (10.254.0.0/16,
 * fd6b:6763::/32) never match.
 */
const OTHER_RUN = /\bkg(?:p[0-9a-f]{4}|[0-9a-f]{6})(?=br\b|h\d+\b|-|\b)|\b10\.25[0-3]\.\d{1,3}\.\d{1,3}\b|\bfd00:4b47:/i;

export function ownEntries(entries: readonly string[]): string[] {
  return entries.filter((e) => !OTHER_RUN.test(e));
}

function tables(dump: string[]): string[] {
  return dump.filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, ''));
}

export async function hostState(clusterDir: string, cgroupRoot = '/kgc'): Promise<HostState> {
  const sorted = (xs: string[]): string[] => [...xs].sort();
  const mountinfo = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter(Boolean)
    .map((l) => { const f = l.split(' '); return `${f[4]} ${f[f.indexOf('-') + 1]}`; })
    .filter((m) => clusterMount(m, clusterDir));
  const ipset = existsSync('/usr/sbin/ipset') || existsSync('/sbin/ipset');
  const own = (xs: string[]): string[] => ownEntries(xs);
  return {
    processes: sorted(await processes(clusterDir, cgroupRoot)),
    mounts: own(sorted(mountinfo)),
    netns: own(sorted(await lines('ip', ['netns', 'list']))),
    links: own(sorted((await lines('ip', ['-o', 'link'])).map((l) => l.split(':')[1]?.trim().split('@')[0] ?? l))),
    addresses: own(sorted((await lines('ip', ['-o', 'addr'])).map((l) => l.split(/\s+/).slice(1, 4).join(' ')))),
    routes: own(sorted([...await lines('ip', ['route', 'show', 'table', 'all']), ...await lines('ip', ['-6', 'route', 'show', 'table', 'all'])]
      .filter((l) => !l.includes('proto kernel') || !/ (fe80|ff00)::/.test(l)))),
    iptables: own(tables(await lines('iptables-save', []))),
    ip6tables: own(tables(await lines('ip6tables-save', []))),
    ipsets: ipset ? own(sorted(await lines('ipset', ['list', '-n']))) : ['(ipset is not installed; kube-proxy in iptables mode makes none)'],
    cgroups: own(sorted(await cgroups())),
    sysctls: own(sorted((await lines('sysctl', ['-a'])).filter((l) => !VOLATILE_SYSCTL.test(l)))),
    paths: DEFAULT_PATHS.map((p) => `${p} ${existsSync(p) ? 'present' : 'absent'}`),
  };
}
