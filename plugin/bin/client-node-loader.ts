/**
 * Loads @kubernetes/client-node (18 MB bundled: mostly generated API models) only when a command
 * first needs it, so `--help` never parses it. The bundle keeps it as a second file,
 * dist/client-node.cjs; inside a single executable it is an SEA asset. Either way it is compiled
 * as a CommonJS module here, on first use. scripts/build-plugin.sh points every import of
 * '@kubernetes/client-node' in the main bundle at this loader.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CLIENT_NODE_FILE = 'client-node.cjs';

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(source: string, filename: string): void;
}

type ModuleClass = new (id: string) => CompilableModule;

function seaAsset(req: NodeJS.Require): string | undefined {
  let sea: SeaModule;
  try {
    sea = req('node:sea') as SeaModule;
  } catch {
    return undefined; // Node without SEA support: never a single executable
  }
  return sea.isSea() ? sea.getAsset(CLIENT_NODE_FILE, 'utf8') : undefined;
}

/** `bundleDir` is where the main bundle lives (its __dirname). */
export function loadClientNode(bundleDir: string): unknown {
  const req = createRequire(join(bundleDir, 'loader.cjs'));
  const filename = join(bundleDir, CLIENT_NODE_FILE);
  const source = seaAsset(req) ?? readFileSync(filename, 'utf8');
  const Module = req('node:module') as ModuleClass;
  const m = new Module(filename);
  m.filename = filename;
  m.paths = [dirname(filename)];
  m._compile(source, filename);
  return m.exports;
}
