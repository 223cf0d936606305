/**
 * Vitest global setup for the integration project: starts a throwaway PostgreSQL cluster with
 * scripts/postgres.sh, provides its URL as `databaseUrl`, and stops (and deletes) it on teardown.
 * Test files should not share state through this server's `postgres` database: each creates its
 * own database (see daemons/broker/testing/test-database.ts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    databaseUrl: string;
  }
}

const script = fileURLToPath(new URL('../../scripts/postgres.sh', import.meta.url));

/** Parses the `KEY=value KEY=value` line printed by `postgres.sh start`. */
function parseStartLine(out: string): { url: string; dir: string } {
  const fields = new Map(out.trim().split(/\s+/).map((kv) => {
    const eq = kv.indexOf('=');
    return [kv.slice(0, eq), kv.slice(eq + 1)] as const;
  }));
  const url = fields.get('DATABASE_URL');
  const dir = fields.get('PGDIR');
  if (!url || !dir) throw new Error(`postgres.sh start printed no DATABASE_URL/PGDIR: ${out}`);
  return { url, dir };
}

export default function setup(project: TestProject): () => void {
  const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const { url, dir } = parseStartLine(out);
  process.env.KG_TEST_PGDIR = dir;
  project.provide('databaseUrl', url);
  return function stopPostgres(): void {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
  };
}
