/**
 * `ui --open`: starts the user's browser on the view's URL, detached (the browser outlives the
 * command when it was not running before).
 */
import { spawn } from 'node:child_process';
import type { CliIO } from '../io.js';

/**
 * The command that opens a URL: $BROWSER when set (as xdg-open and most tools read it: the first
 * of a colon-separated list, its words split on spaces, %s standing for the URL, else the URL
 * added last), otherwise the desktop's opener.
 */
export function browserCommand(url: string, env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): { cmd: string; args: string[] } {
  const first = (env.BROWSER ?? '').split(':')[0]?.trim() ?? '';
  if (first !== '') {
    const [cmd = '', ...words] = first.split(/\s+/);
    return { cmd, args: words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url] };
  }
  return { cmd: platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open', args: [url] };
}

/** Opens the URL in the user's browser; a machine without one only gets a note. */
export function openBrowser(url: string, io: CliIO): void {
  const { cmd, args } = browserCommand(url, io.env);
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', (e) => io.stderr.write(`warning: --open: could not start ${cmd}: ${e.message}; open the URL yourself\n`));
  child.unref();
}
