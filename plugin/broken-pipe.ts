/**
 * A reader that goes away (`... | head -1`, `... | true`) is not an error of the plugin. Node
 * ignores SIGPIPE and reports the closed pipe as an `error` event on the stream, which, unhandled,
 * prints a stack trace and exits 1. Instead the process ends at once, silently, with status 141:
 * what a shell reports for kubectl (and any Go or C program) stopped by SIGPIPE, so `set -o
 * pipefail` scripts see the same status from both.
 */

/** 128 + SIGPIPE (13). */
export const BROKEN_PIPE_EXIT = 141;

interface ErrorEmitter {
  on(event: 'error', listener: (e: Error) => void): unknown;
}

/** Exits quietly when `stream`'s reader has closed; any other write error is rethrown. */
export function exitOnBrokenPipe(stream: ErrorEmitter, exit: (code: number) => never = (code) => process.exit(code)): void {
  stream.on('error', (e: Error) => {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') exit(BROKEN_PIPE_EXIT);
    throw e;
  });
}
