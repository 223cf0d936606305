#!/usr/bin/env node
// The npm bin: runs the bundle that scripts/build-plugin.sh writes to dist/ (npm's prepack
// builds it, so an installed package always has it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new globalThis.URL('../../dist/kubectl-kguardian.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('error: the plugin is not built: run bash scripts/build-plugin.sh (npm pack and npm install from the repository build it)\n');
  process.exit(1);
}
createRequire(import.meta.url)(bundle);
