/**
 * `kubectl kguardian completion bash|zsh` prints the script; `__complete` (hidden) answers
 * kubectl's plugin-completion calls.
 */
import type { RegisterCommand } from '../commands/register.js';
import type { Example } from '../commands/examples.js';
import { SHELLS, completionScript, type Shell } from './scripts.js';

export const COMPLETION_EXAMPLES: readonly Example[] = [
  ['source <($0 completion bash)', 'Complete commands and flags in this bash session'],
  ['$0 completion zsh > "${fpath[1]}/_kubectl-kguardian"', 'Install for zsh'],
];

export const registerCompletion: RegisterCommand = (y, { io, done }) =>
  y.command(
    'completion <shell>',
    'Print a shell completion script (bash or zsh)',
    (b) => b.positional('shell', { type: 'string', choices: SHELLS, describe: 'The shell' }),
    (argv) => {
      io.stdout.write(completionScript(argv.shell as Shell));
      done(0);
    },
  );
