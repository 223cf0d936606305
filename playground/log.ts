/**
 * What the playground prints: one visible line per step on stderr, in the same style as
 * scripts/lib/log.sh, so the shell wrapper and the orchestrator read as one program.
 */
const tty = process.stderr.isTTY;
const paint = (code: string, text: string): string => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);

export function step(text: string): void {
  process.stderr.write(`${paint('1;34', '==>')} ${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${paint('1;33', '!!')} ${text}\n`);
}

/** A banner that cannot be missed: a part of the pipeline is absent or the run is degraded. */
export function loud(lines: readonly string[]): void {
  const bar = paint('1;33', '!'.repeat(72));
  process.stderr.write(`${bar}\n${lines.map((l) => `${paint('1;33', '!!')} ${l}`).join('\n')}\n${bar}\n`);
}

/** Text for the user (commands' output, explanations) on stdout, indented under its step. */
export function show(text: string, indent = '    '): void {
  const body = text.replace(/\n+$/, '');
  process.stdout.write(`${body.split('\n').map((l) => indent + l).join('\n')}\n`);
}

/** Prints "still waiting" every `everyMs` until the promise settles; long builds say they are alive. */
export async function withProgress<T>(what: string, work: Promise<T>, everyMs = 10_000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    step(`  still ${what}: ${Math.round((Date.now() - started) / 1000)}s`);
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
