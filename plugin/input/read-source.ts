/**
 * Reads a file argument, or standard input for "-". A missing or unreadable file is the
 * user's input problem (exit 2), named by the path they typed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { CliIO } from '../io.js';

export interface Source {
  /** The name used in messages: the path as typed, or "<stdin>". */
  name: string;
  text: string;
}

export async function readSource(path: string, io: CliIO): Promise<Source> {
  if (path === '-') return { name: '<stdin>', text: await io.readStdin() };
  try {
    return { name: path, text: await readFile(resolve(io.cwd, path), 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(e)})`;
    throw new InputError({ file: path }, why);
  }
}
