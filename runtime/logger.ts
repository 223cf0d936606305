/**
 * A minimal structured logger: one JSON object per line on stderr, so logs are greppable and
 * machine-readable without a dependency. Tests pass `silentLogger` or a recording one.
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function errorFields(fields?: LogFields): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
  return out;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const log = (level: string, msg: string, fields?: LogFields): void => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...errorFields(fields) })}\n`);
  };
  return {
    info: (msg, fields) => {
      log('info', msg, fields);
    },
    warn: (msg, fields) => {
      log('warn', msg, fields);
    },
    error: (msg, fields) => {
      log('error', msg, fields);
    },
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface LogEntry {
  level: string;
  msg: string;
  fields?: LogFields;
}

/** A logger that keeps what it is told, for tests that assert on logging. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const rec = (level: string) => (msg: string, fields?: LogFields) => void entries.push({ level, msg, fields });
  return { entries, info: rec('info'), warn: rec('warn'), error: rec('error') };
}
