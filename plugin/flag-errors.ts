/**
 * One style for every bad flag, whoever noticed it (yargs while parsing, or a command's own
 * validation): a single `error: ...` line that says what is wrong in words and what would be
 * right, then kubectl's `See 'kubectl kguardian CMD --help' for usage.` line, exit 2. yargs's own
 * messages ("Invalid values:\n  Argument: o, Given: ...", "Unknown argument: foo") are rewritten
 * here into that line. Also: a value that starts with a dash and a digit (`--since -1h`) is kept
 * with its flag, where yargs would read `-1h` as the short options -1 and -h and print the help.
 */

/** The command words that can precede flags, for the help hint. */
const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  audit: ['test', 'promote', 'promote-cluster'],
  gen: ['networkpolicy'],
  flows: ['export'],
  verdicts: [],
  verify: [],
  describe: [],
  completion: [],
  ui: [],
};

/** "--since -1h" -> "--since=-1h": no short option of this CLI is a digit, so such a token is a value. */
export function keepNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const prev = out.at(-1);
    if (/^-\d/.test(a) && prev !== undefined && /^--?[A-Za-z][\w-]*$/.test(prev)) out[out.length - 1] = `${prev}=${a}`;
    else out.push(a);
  }
  return out;
}

/** The command the words name ("verdicts", "audit promote"), or '' for the root. */
export function commandOf(args: readonly string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  for (let i = 0; i < words.length; i++) {
    const sub = COMMANDS[words[i] ?? ''];
    if (sub === undefined) continue;
    const next = words[i + 1];
    return next !== undefined && sub.includes(next) ? `${words[i] ?? ''} ${next}` : (words[i] ?? '');
  }
  return '';
}

export function usageHint(args: readonly string[]): string {
  const cmd = commandOf(args);
  return `See 'kubectl kguardian ${cmd ? `${cmd} ` : ''}--help' for usage.\n`;
}

/** "-o/--output" from yargs's key and its aliases. */
function flagName(key: string, aliases: Readonly<Record<string, readonly string[]>>): string {
  const names = [key, ...(aliases[key] ?? [])].filter((n) => !/[A-Z]/.test(n) || n.length === 1);
  const short = names.filter((n) => n.length === 1).map((n) => `-${n}`);
  const long = names.filter((n) => n.length > 1).map((n) => `--${n}`);
  return [...short, ...long.slice(0, 1)].join('/');
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');

/** The flag as written (-o/--output), or a positional's name (shell) when the value was not given with a flag. */
function argumentName(key: string, args: readonly string[], aliases: Readonly<Record<string, readonly string[]>>): string {
  const names = [key, ...(aliases[key] ?? [])];
  const asFlag = args.some((a) => a.startsWith('-') && names.includes(a.replace(/^-+/, '').split('=')[0] ?? ''));
  return asFlag ? flagName(key, aliases) : key;
}

/** yargs's "Argument: o, Given: "xml", Choices: "a", "b"" lines, one sentence each. */
function invalidValues(lines: readonly string[], args: readonly string[], aliases: Readonly<Record<string, readonly string[]>>): string {
  return lines
    .map((l) => /^\s*Argument: ([^,]+), Given: (.*), Choices: (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, key = '', given = '', choices = '']) => `${argumentName(key, args, aliases)}: ${given} is not one of ${choices.split(', ').map(unquote).join(', ')}`)
    .join('; ');
}

function unknownArguments(list: string, args: readonly string[]): string {
  return list
    .split(', ')
    .map((word) => {
      const asFlag = args.find((a) => a.replace(/^-+/, '').split('=')[0] === word && a.startsWith('-'));
      if (asFlag !== undefined) return `unknown flag: ${asFlag.split('=')[0] ?? ''}`;
      return commandOf(args) === '' ? `unknown command "${word}"` : `unexpected argument "${word}"`;
    })
    .join('; ');
}

const isCommandWord = (w: string): boolean => w in COMMANDS || Object.values(COMMANDS).some((sub) => sub.includes(w));

/**
 * The misspelt command word yargs's "Did you mean X?" is about, with its parent ("audit list"): the
 * word after a command that has subcommands, else the first word that is no command and no flag's
 * value (a word right after a flag without `=` may be its value, so it is passed over).
 */
function misspeltCommand(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const parent = words.find((w) => (COMMANDS[w]?.length ?? 0) > 0);
  if (parent !== undefined) {
    const next = words[words.indexOf(parent) + 1];
    return next === undefined ? undefined : `${parent} ${next}`;
  }
  return args.find((a, i) => !a.startsWith('-') && !isCommandWord(a) && !/^-[^=]*$/.test(args[i - 1] ?? ''));
}

/** yargs's bare "Did you mean test?" as a sentence that names the word it did not know. */
function unknownCommand(suggested: string, args: readonly string[]): string {
  const word = misspeltCommand(args);
  const parent = word?.includes(' ') ? `${word.split(' ')[0] ?? ''} ` : '';
  return `${word === undefined ? 'unknown command' : `unknown command "${word}"`}; did you mean "${parent}${suggested}"?`;
}

/** yargs's failure message as one line. */
export function flagMessage(message: string, args: readonly string[], aliases: Readonly<Record<string, readonly string[]>>): string {
  const [first = '', ...rest] = message.split('\n');
  if (first === 'Invalid values:') return invalidValues(rest, args, aliases) || rest.join(' ').trim();
  const missing = /^Missing required arguments?: (.*)$/.exec(first);
  if (missing) return rest.length > 0 ? rest.join(' ') : `missing ${missing[1]?.split(', ').map((k) => flagName(k, aliases)).join(', ') ?? ''}`;
  const unknown = /^Unknown arguments?: (.*)$/.exec(first);
  if (unknown) return [unknownArguments(unknown[1] ?? '', args), ...rest].join('. ');
  const suggestion = /^Did you mean (.*)\?$/.exec(first);
  if (suggestion) return unknownCommand(suggestion[1] ?? '', args);
  return [first, ...rest].filter((l) => l.trim() !== '').join(' ');
}
