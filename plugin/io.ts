/**
 * The streams a command reads and writes. Commands never touch `process` directly, so tests
 * run them in-process and read exactly what a user would see.
 */
export interface OutputStream {
  write(chunk: string): unknown;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Reads all of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The terminal's width when standard output is a terminal (output/width.ts). */
  columns?: number;
  /** The same for standard error, which may be a terminal while standard output is a pipe (errorWidth). */
  errColumns?: number;
  /** The command's clock (ages are shown against it, `promote --verify` times its window by it); tests set it, the real one is the system's. */
  now?: () => Date;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    errColumns: process.stderr.isTTY ? process.stderr.columns : undefined,
  };
}

/** An IO whose output is kept in strings, for tests. */
export function memoryIO(stdin = '', cwd = process.cwd()): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    readStdin: () => Promise.resolve(stdin),
    cwd,
    env: {},
    out: () => out,
    err: () => err,
  };
}
