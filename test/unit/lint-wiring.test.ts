/**
 * The layer rules are wired into lint: ESLint, run through its Node API with the repository's own
 * eslint.config.js, reports a cross-daemon import, a production import of a test helper and an
 * import circle in a small tree laid out like the repository. lint-layers.test.ts pins the rules'
 * logic; this file fails when the config stops running them, or when an import form slips past
 * the graph reader or the rule. The sample tree is linted with type checking off: the layer rules
 * read only import text, and typed linting needs a tsconfig.json that includes the files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionGraph, ROOTS, specifiersOf } from '../../scripts/lint/import-graph.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LOGGER = '../../broker/logger.js';

/** Every way a module can name another; each sample file under daemons/agent/forms/ holds one. */
const FORMS: { form: string; source: string }[] = [
  { form: 'static', source: `import { log } from '${LOGGER}';\nexport const a = log;\n` },
  { form: 'default and named', source: `import logger, { log } from '${LOGGER}';\nexport const a = [logger, log];\n` },
  { form: 'type-only, over several lines', source: `import type {\n  Logger,\n  Level,\n} from '${LOGGER}';\nexport type A = [Logger, Level];\n` },
  { form: 'inline type specifier', source: `import { type Logger } from '${LOGGER}';\nexport type A = Logger;\n` },
  { form: 'side effect', source: `import '${LOGGER}';\n` },
  { form: 're-export of names', source: `export { log } from '${LOGGER}';\n` },
  { form: 're-export of everything', source: `export * from '${LOGGER}';\n` },
  { form: 're-export of a namespace', source: `export * as logger from '${LOGGER}';\n` },
  { form: 're-export of types', source: `export type { Logger } from '${LOGGER}';\n` },
  { form: 'dynamic import with a literal', source: `export async function load(): Promise<unknown> {\n  return await import(\n    '${LOGGER}'\n  );\n}\n` },
  { form: 'type of an import() type', source: `export type A = typeof import('${LOGGER}');\n` },
  { form: 'import() type with a member', source: `export type A = import('${LOGGER}').Logger;\n` },
];

const slug = (form: string): string => form.replace(/[^a-z]+/g, '-');

/** The sample tree: repository paths and their text. */
const FILES: Record<string, string> = {
  'daemons/broker/logger.ts': 'export type Logger = { level: Level };\nexport type Level = string;\nexport const log = 1;\nexport default log;\n',
  'daemons/evaluator/cross-daemon.ts': "import { log } from '../broker/logger.js';\nexport const a = log;\n",
  'daemons/evaluator/uses-test-helper.ts': "import { kit } from '../../policy/testing/kit.js';\nexport const a = kit;\n",
  'policy/testing/kit.ts': 'export const kit = 1;\n',
  'policy/circle-a.ts': "import { b } from './circle-b.js';\nexport const a = b;\n",
  // Type-only: a circle of types is still two modules that cannot be read apart.
  'policy/circle-b.ts': "import type { a } from './circle-a.js';\nexport const b = 1;\nexport type B = typeof a;\n",
  // Tests and test helpers may import anything.
  'daemons/evaluator/cross-daemon.test.ts': "import { log } from '../broker/logger.js';\nexport const a = log;\n",
  'daemons/evaluator/testing/double.ts': "import { log } from '../../broker/logger.js';\nimport { kit } from '../../../policy/testing/kit.js';\nexport const a = [log, kit];\n",
  'daemons/evaluator/clean.ts': "import { kit } from '../../contracts/kit.js';\nexport const a = kit;\n",
  'contracts/kit.ts': 'export const kit = 1;\n',
  ...Object.fromEntries(FORMS.map(({ form, source }) => [`daemons/agent/forms/${slug(form)}.ts`, source])),
};

let root: string;
/** Layer messages by repository path. */
const reported = new Map<string, string[]>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kg-lint-wiring-'));
  for (const r of ROOTS) mkdirSync(join(root, r), { recursive: true });
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: join(REPO, 'eslint.config.js'),
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  for (const result of await eslint.lintFiles(['.'])) {
    const path = relative(root, result.filePath).split('\\').join('/');
    const layers = result.messages.filter((m) => m.ruleId?.startsWith('layers/') === true);
    // Errors, not warnings: npm run lint fails on them.
    expect(layers.every((m) => m.severity === 2)).toBe(true);
    reported.set(path, layers.map((m) => `${m.ruleId ?? ''}: ${m.message}`));
  }
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('eslint.config.js runs the layer rules', () => {
  it('lints every sample file', () => {
    expect([...reported.keys()].sort()).toEqual(Object.keys(FILES).sort());
  });

  it.each([
    { path: 'daemons/evaluator/cross-daemon.ts', want: [/^layers\/boundaries: daemons\/evaluator must not import another daemon's internals \(daemons\/broker\/logger\.ts\)/] },
    { path: 'daemons/evaluator/uses-test-helper.ts', want: [/^layers\/boundaries: production code must not import a test helper \(policy\/testing\/kit\.ts\)/] },
    { path: 'policy/circle-a.ts', want: [/^layers\/no-circle: import circle: policy\/circle-a\.ts -> policy\/circle-b\.ts -> policy\/circle-a\.ts$/] },
    { path: 'policy/circle-b.ts', want: [/^layers\/no-circle: import circle: policy\/circle-b\.ts -> policy\/circle-a\.ts -> policy\/circle-b\.ts$/] },
    { path: 'daemons/evaluator/cross-daemon.test.ts', want: [] },
    { path: 'daemons/evaluator/testing/double.ts', want: [] },
    { path: 'daemons/evaluator/clean.ts', want: [] },
    { path: 'daemons/broker/logger.ts', want: [] },
  ])('$path', ({ path, want }) => {
    const got = reported.get(path) ?? [];
    expect(got).toHaveLength(want.length);
    want.forEach((pattern, i) => {
      expect(got[i]).toMatch(pattern);
    });
  });
});

describe('every import form', () => {
  it.each(FORMS)('$form: the graph reader finds it', ({ source }) => {
    expect(specifiersOf(source)).toEqual([LOGGER]);
  });

  it.each(FORMS)('$form: the graph holds its edge', ({ form }) => {
    expect([...(productionGraph(root).get(`daemons/agent/forms/${slug(form)}.ts`) ?? [])]).toEqual(['daemons/broker/logger.ts']);
  });

  it.each(FORMS)('$form: lint reports it across daemons', ({ form }) => {
    expect(reported.get(`daemons/agent/forms/${slug(form)}.ts`)).toEqual([
      "layers/boundaries: daemons/agent must not import another daemon's internals (daemons/broker/logger.ts); shared code goes in contracts/ or runtime/",
    ]);
  });
});
