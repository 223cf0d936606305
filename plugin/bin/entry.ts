/**
 * Entry point of the bundled plugin (dist/, the npm bin and the single executable): the same as
 * plugin/cli.ts, without top-level await (the bundle is CommonJS, which a Node single executable
 * requires), and with --version answered before the command tree is even built.
 */
import { processIO } from '../io.js';
import { runCli } from '../main.js';
import { VERSION } from './version.js';
import { exitOnBrokenPipe } from '../broken-pipe.js';

exitOnBrokenPipe(process.stdout);
exitOnBrokenPipe(process.stderr);

const args = process.argv.slice(2);

if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
  process.stdout.write(`kubectl-kguardian ${VERSION}\n`);
} else {
  runCli(args, processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const debug = process.env.KGUARDIAN_DEBUG !== undefined;
      process.stderr.write(`error: ${e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
