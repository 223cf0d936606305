/**
 * The one duration grammar users type: Go-style durations ("15m", "1h30m", "1.5h", "24h"), as
 * status.evaluation.window is written, plus days ("7d", "1d12h") because people say them. Every
 * flag that takes a duration (--since, --min-quiet, --holdout) reads it here.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;

const UNIT = '(?:ns|us|µs|ms|s|m|h|d)';
const ZERO_PART = `0+(?:\\.0+)?${UNIT}`;
const NONZERO_PART = `(?:[0-9]*[1-9][0-9]*(?:\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)${UNIT}`;
const ANY_PART = `[0-9]+(?:\\.[0-9]+)?${UNIT}`;

/** The grammar as a pattern, for documents (the broker's OpenAPI): exactly the texts parseDuration reads. */
export const DURATION_PATTERN = `^(?:0|(?:${ANY_PART})+)$`;

/**
 * The texts parseDuration reads as more than zero: what a look-back or a window takes, since "the
 * last 0s" selects nothing (the plugin's --since refuses it too). Zero parts may come first ("0h15m").
 */
export const POSITIVE_DURATION_PATTERN = `^(?:${ZERO_PART})*${NONZERO_PART}(?:${ANY_PART})*$`;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Go's time.ParseDuration grammar without a sign: what the CRD's status.evaluation.window takes. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/;

/**
 * `text` (a duration of this grammar worth `ms`) as Go spells it: unchanged when it already is Go
 * syntax, else hours, minutes, seconds and milliseconds ("1d" is "24h", "1.5d" is "36h").
 */
export function goDuration(text: string, ms: number): string {
  if (GO_DURATION.test(text)) return text;
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length === 0 ? '0s' : parts.join('');
}

/** "1d2h", "15m", "90s": the largest units first, for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
