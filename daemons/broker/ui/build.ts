/**
 * Builds the web view's three files (route.ts UI_FILES) into a folder: the client's TypeScript
 * bundled and minified by esbuild into app.js, the stylesheet and the page copied. Run by
 * scripts/build-ui.sh (for a checkout), by the playground, by the broker image build and by the
 * tests, so no built file is ever committed.
 *
 *   node --import tsx daemons/broker/ui/build.ts [OUT_DIR]   (default: daemons/broker/ui/assets)
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DEFAULT_UI_DIR } from './route.js';

const CLIENT = fileURLToPath(new URL('./client/', import.meta.url));

export async function buildUi(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(CLIENT, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(CLIENT, 'app.css'), join(outDir, 'app.css'));
  await copyFile(join(CLIENT, 'index.html'), join(outDir, 'index.html'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildUi(process.argv[2] ?? DEFAULT_UI_DIR);
}
