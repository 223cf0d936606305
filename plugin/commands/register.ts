/**
 * The shape of a command's registration, apart from main.ts, which imports every command: a
 * command module names this type without importing the module that imports it.
 */
import type { Argv } from 'yargs';
import type { CliIO } from '../io.js';

/** What a command's registration gets: the streams, and where to report its exit code. */
export interface CommandContext {
  io: CliIO;
  done: (code: number) => void;
}

/** Adds one command to a parser. Command modules keep heavy imports inside their handlers. */
export type RegisterCommand = (y: Argv, ctx: CommandContext) => Argv;
