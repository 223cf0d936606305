// What each image scripts/images.sh builds holds, and that it runs: the config a runtime reads
// (entry point, user, environment, ports), and the image's own programs started from its unpacked
// root file system (umoci), with chroot where they need the image's libraries. The images come
// from the default cache (scripts/test.d/55-images.sh builds them first; nothing is rebuilt here).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInfo, builtArchive, envOf, runIn, startIn, unpack, type ArchiveInfo, type ImageConfig, type Unpacked } from './testing/images.js';

/** A TCP port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Retries `probe` until it returns a value (bounded by tries, not by time). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, output: () => string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await delay(100);
  }
  throw new Error(`${what} never answered; output:\n${output()}`);
}

/** The directives of the server blocks of the Corefile in a ConfigMap manifest: each first word at depth 1. */
function corefileDirectives(manifest: string): string[] {
  const body = manifest.split('Corefile: |')[1]?.split(/\n\S/)[0] ?? '';
  const out = new Set<string>();
  let depth = 0;
  for (const line of body.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (depth === 1 && line !== '}') out.add(line.split(/\s+/)[0]!);
    depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
  }
  return [...out].sort();
}

/** The exposed ports, "N/tcp" where the config says "N" (the OCI default protocol). */
function ports(config: ImageConfig): string[] {
  return Object.keys(config.ExposedPorts ?? {}).map((p) => (p.includes('/') ? p : `${p}/tcp`)).sort();
}

/** One built image: its archive's config, and its root file system unpacked on first use. */
function image(name: string): { info: () => ArchiveInfo; root: () => Unpacked } {
  let info: ArchiveInfo | undefined;
  let unpacked: Unpacked | undefined;
  afterAll(() => unpacked?.remove());
  const line = () => builtArchive(name);
  return {
    info: () => {
      if (!info) {
        const l = line();
        info = archiveInfo(l.archive);
        expect(info.repoTags).toEqual([l.ref]);
      }
      return info;
    },
    root: () => (unpacked ??= unpack(line().archive)),
  };
}

describe('pause', () => {
  const { info, root } = image('pause');

  it('is one layer holding a static /pause, run as 65535', () => {
    expect(info().layers).toBe(1);
    expect(info().config).toMatchObject({ Entrypoint: ['/pause'], User: '65535:65535' });
    expect(readdirSync(root().rootfs)).toEqual(['pause']);
    expect(execFileSync('file', [join(root().rootfs, 'pause')], { encoding: 'utf8' })).toMatch(/statically linked/);
    expect(execFileSync(join(root().rootfs, 'pause'), ['-v'], { encoding: 'utf8' })).toBe('kguardian pause 3.10\n');
  });

  it('waits until SIGTERM, then exits 0 (its handler, not the default action)', async () => {
    const p = spawn(join(root().rootfs, 'pause'), [], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    // It warns once its handlers are in place.
    await eventually('pause', () => Promise.resolve(err.includes('not running as PID 1') ? true : undefined), () => err);
    expect(p.exitCode).toBeNull();
    p.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => p.once('exit', (c, sig) => { resolve([c, sig]); }));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe('coredns', () => {
  const { info, root } = image('coredns');

  it('is one layer holding a static /coredns, run as 65532 with the capability to bind port 53', () => {
    expect(info().layers).toBe(1);
    expect(info().config).toMatchObject({ Entrypoint: ['/coredns'], User: '65532:65532' });
    expect(ports(info().config)).toEqual(['53/tcp', '53/udp', '9153/tcp']);
    const bin = join(root().rootfs, 'coredns');
    expect(execFileSync('file', [bin], { encoding: 'utf8' })).toMatch(/statically linked/);
    expect(execFileSync('getcap', [bin], { encoding: 'utf8' })).toMatch(/cap_net_bind_service[=+]ep/);
    expect(execFileSync(bin, ['-version'], { encoding: 'utf8' })).toContain('CoreDNS-1.15.0');
  });

  // Built with a chosen set of plugins (deploy/images/coredns/main.go): every directive of the cluster's
  // Corefile must be one of them, or CoreDNS refuses the Corefile at start.
  it('has every plugin the cluster\'s Corefile names', () => {
    const manifest = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'cluster', 'manifests', 'coredns.yaml'), 'utf8');
    const directives = corefileDirectives(manifest);
    expect(directives).toContain('kubernetes');
    const plugins = execFileSync(join(root().rootfs, 'coredns'), ['-plugins'], { encoding: 'utf8' })
      .split('\n').map((l) => l.trim());
    for (const d of directives) expect(plugins, d).toContain(d);
  });

  it('answers DNS from a Corefile', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'kg-coredns-'));
    try {
      const corefile = join(dir, 'Corefile');
      execFileSync('sh', ['-c', `printf '%s\\n' '.:${port} {' '  bind 127.0.0.1' '  hosts {' '    10.9.8.7 kg-probe.test' '  }' '}' > ${corefile}`]);
      const p = spawn(join(root().rootfs, 'coredns'), ['-conf', corefile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      try {
        const resolver = new Resolver({ timeout: 500, tries: 1 });
        resolver.setServers([`127.0.0.1:${port}`]);
        const answer = await eventually('coredns', () => resolver.resolve4('kg-probe.test'), () => out);
        expect(answer).toEqual(['10.9.8.7']);
      } finally {
        p.kill('SIGTERM');
        await new Promise((resolve) => p.once('exit', resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('debian', () => {
  const { info, root } = image('debian');

  it('is bookworm, one layer, slim (no documentation but copyrights, no man pages), with apt sources', () => {
    expect(info().layers).toBe(1);
    expect(info().config.Cmd).toEqual(['bash']);
    const rootfs = root().rootfs;
    expect(readFileSync(join(rootfs, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
    const docs = execFileSync('find', [join(rootfs, 'usr/share/doc'), '-type', 'f', '!', '-name', 'copyright'], { encoding: 'utf8' });
    expect(docs).toBe('');
    expect(existsSync(join(rootfs, 'usr/share/man/man1'))).toBe(false);
    const sources = readFileSync(join(rootfs, 'etc/apt/sources.list'), 'utf8');
    for (const suite of [' bookworm main', ' bookworm-updates main', ' bookworm-security main']) expect(sources).toContain(suite);
    const r = runIn(rootfs, ['sh', '-c', 'apt-get --version | head -n 1 && id -u'], { user: '0:0', env: { PATH: envOf(info().config).PATH ?? '' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^apt 2\.6\.\S+ \(amd64\)\n0\n$/);
  });
});

describe('node (the base the Dockerfiles name)', () => {
  const { info, root } = image('node');

  it('is docker.io/library/node:20.20.2-bookworm-slim: Node 20.20.2 and npm 10.8.2 in /usr/local, user node 1000', () => {
    expect(info().repoTags).toEqual(['docker.io/library/node:20.20.2-bookworm-slim']);
    expect(info().layers).toBe(2);
    expect(info().config.Cmd).toEqual(['node']);
    expect(envOf(info().config).NODE_VERSION).toBe('20.20.2');
    const env = { PATH: envOf(info().config).PATH ?? '', HOME: '/home/node' };
    const r = runIn(root().rootfs, ['sh', '-c', 'node --version && npm --version && npx --version && id'], { user: '1000:1000', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('v20.20.2\n10.8.2\n10.8.2\nuid=1000(node) gid=1000(node) groups=1000(node)\n');
  });
});

describe('agnhost', () => {
  const { info, root } = image('agnhost');

  it('runs /agnhost (pause by default) over the debian base', () => {
    expect(info().config).toMatchObject({ Entrypoint: ['/agnhost'], Cmd: ['pause'] });
    expect(info().layers).toBe(2);
    const r = runIn(root().rootfs, ['/agnhost', '--help'], { user: '0:0', env: {} });
    for (const command of ['serve-hostname', 'netexec', 'connect']) expect(r.stdout).toContain(command);
  });

  it('serves netexec: /hostname over HTTP', async () => {
    const port = await freePort();
    const run = startIn(root().rootfs, ['/agnhost', 'netexec', `--http-port=${port}`, '--udp-port=-1'], { user: '0:0', env: {} });
    try {
      const body = await eventually('netexec', async () => (await fetch(`http://127.0.0.1:${port}/hostname`)).text(), run.output);
      expect(body.length).toBeGreaterThan(0);
    } finally {
      run.proc.kill('SIGTERM');
      await new Promise((resolve) => run.proc.once('exit', resolve));
    }
  });
});

describe('postgres (for the chart\'s postgresql.image)', () => {
  const { info, root } = image('postgres');
  let data: string;
  beforeAll(() => {
    // The chart's volume: root-owned, group 999 (fsGroup) writable; PGDATA a subfolder of it.
    data = mkdtempSync(join(tmpdir(), 'kg-pgdata-'));
    chownSync(data, 0, 999);
    chmodSync(data, 0o2775);
  });
  afterAll(() => { rmSync(data, { recursive: true, force: true }); });

  it('runs as 999 with the official image\'s entry point, PGDATA, stop signal and port', () => {
    expect(info().config).toMatchObject({ User: '999:999', Entrypoint: ['docker-entrypoint.sh'], Cmd: ['postgres'], StopSignal: 'SIGINT' });
    expect(ports(info().config)).toEqual(['5432/tcp']);
    expect(envOf(info().config).PATH).toMatch(/^\/usr\/lib\/postgresql\/17\/bin:/);
    expect(readFileSync(join(root().rootfs, 'etc/passwd'), 'utf8')).toMatch(/^postgres:x:999:999:/m);
  });

  // As the chart runs it: its env, uid 999, read-only root, emptyDirs on /var/run/postgresql and /tmp.
  const start = async (port: number) => {
    const env = { ...envOf(info().config), POSTGRES_USER: 'kguardian', POSTGRES_DB: 'kguardian', POSTGRES_PASSWORD: 's3cret "quoted"', PGDATA: '/var/lib/postgresql/data/pgdata' };
    const opts = { user: '999:999', env, readOnly: true, tmpfs: ['var/run/postgresql', 'tmp'], binds: [{ host: data, path: 'var/lib/postgresql/data' }] };
    const run = startIn(root().rootfs, ['docker-entrypoint.sh', 'postgres', '-p', String(port)], opts);
    const probe = () => runIn(root().rootfs, ['pg_isready', '-h', '127.0.0.1', '-p', String(port), '-U', 'kguardian', '-d', 'kguardian'], opts, 30_000);
    await eventually('pg_isready (the chart\'s probe)', () => Promise.resolve(probe().status === 0 ? true : undefined), run.output);
    return run;
  };
  const psql = (port: number, password: string, sql: string) =>
    execFileSync('psql', ['-X', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', 'kguardian', '-d', 'kguardian', '-c', sql], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' }, stdio: 'pipe' });
  const stop = async (run: ReturnType<typeof startIn>) => {
    run.proc.kill('SIGINT');
    const code = await new Promise((resolve) => run.proc.once('exit', (c) => { resolve(c); }));
    expect(code, run.output()).toBe(0);
  };

  it('initialises an empty PGDATA for POSTGRES_USER/DB, takes the password over TCP, and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = await start(port);
    try {
      expect(first.output()).toContain('initialised /var/lib/postgresql/data/pgdata for user kguardian, database kguardian');
      expect(psql(port, 's3cret "quoted"', 'SHOW server_version')).toMatch(/^17\./);
      expect(psql(port, 's3cret "quoted"', 'CREATE TABLE kept (v text); INSERT INTO kept VALUES (\'across restarts\')')).toBe('CREATE TABLE\nINSERT 0 1\n');
      expect(() => psql(port, 'wrong', 'SELECT 1')).toThrow(/password authentication failed/);
    } finally {
      await stop(first);
    }
    const second = await start(port);
    try {
      expect(second.output()).not.toContain('initialised');
      expect(psql(port, 's3cret "quoted"', 'SELECT v FROM kept')).toBe('across restarts\n');
    } finally {
      await stop(second);
    }
  });
});

const daemons: { name: string; user: string; main: string; port: string; env: Record<string, string>; says: RegExp }[] = [
  { name: 'kguardian-broker', user: '10001:10001', main: 'daemons/broker/main.js', port: '9090/tcp', env: { PORT: 'not-a-port' }, says: /invalid configuration: .*PORT/ },
  { name: 'kguardian-evaluator', user: '10001:10001', main: 'daemons/evaluator/main.js', port: '9091/tcp', env: { PORT: 'not-a-port' }, says: /invalid configuration: .*PORT/ },
  { name: 'kguardian-agent', user: '0:0', main: 'daemons/agent/main.js', port: '9102/tcp', env: {}, says: /kguardian-agent: KG_NODE_NAME must be set/ },
];

describe.each(daemons)('$name (deploy/docker, built by buildah)', ({ name, user, main, port, env, says }) => {
  const { info, root } = image(name);

  it(`runs node ${main} in /app as ${user}, NODE_ENV=production, port ${port}`, () => {
    expect(info().config).toMatchObject({ User: user, WorkingDir: '/app', Cmd: ['node', '--enable-source-maps', main] });
    expect(envOf(info().config).NODE_ENV).toBe('production');
    expect(ports(info().config)).toEqual([port]);
  });

  it('holds the compiled daemons and production dependencies only', () => {
    const app = join(root().rootfs, 'app');
    expect(existsSync(join(app, main))).toBe(true);
    expect(existsSync(join(app, 'node_modules/hono'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'tsx', 'eslint']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(app, 'daemons/broker/main.ts'))).toBe(false);
  });

  it('holds its own daemon\'s code and no other daemon\'s, and no test', () => {
    const app = join(root().rootfs, 'app');
    const own = main.split('/')[1];
    const folders = readdirSync(join(app, 'daemons'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders).toEqual([own]);
    const compiled = readdirSync(app, { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('node_modules/'));
    expect(compiled.filter((f) => /\.test\.js$|(^|\/)testing\//.test(f))).toEqual([]);
  });

  it('loads every module and stops at its configuration check', () => {
    const r = runIn(root().rootfs, info().config.Cmd ?? [], { user, env: { ...envOf(info().config), ...env }, workdir: info().config.WorkingDir, readOnly: true });
    expect(`${r.stdout}${r.stderr}`).toMatch(says);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(r.status).toBe(2);
  });

  if (name === 'kguardian-agent') {
    it('carries kg-loader, which runs against the image\'s libbpf', () => {
      const r = runIn(root().rootfs, ['/usr/local/bin/kg-loader', '--help'], { user: '0:0', env: {} });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: kg-loader /);
      expect(r.status).toBe(0);
    });
  }

  it('holds nothing of the build machine\'s npm configuration (the build CA is a volume, not a layer)', () => {
    expect(existsSync(join(root().rootfs, 'usr/local/etc/npmrc'))).toBe(false);
    expect(existsSync(join(root().rootfs, 'usr/local/etc/build-ca.crt'))).toBe(false);
  });
});
