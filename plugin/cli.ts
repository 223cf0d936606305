/**
 * Process entry point of kubectl-kguardian: wires the real streams and exits with the
 * command's code. An unexpected error prints one line (and the stack only with KGUARDIAN_DEBUG);
 * a closed pipe ends it quietly (broken-pipe.ts).
 */
import { runCli } from './main.js';
import { processIO } from './io.js';
import { exitOnBrokenPipe } from './broken-pipe.js';

exitOnBrokenPipe(process.stdout);
exitOnBrokenPipe(process.stderr);

try {
  process.exitCode = await runCli(process.argv.slice(2), processIO());
} catch (e) {
  const debug = process.env.KGUARDIAN_DEBUG !== undefined;
  process.stderr.write(`error: ${e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e)}\n`);
  process.exitCode = 1;
}
