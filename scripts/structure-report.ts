/**
 * Structure counts of one or more checkouts, for a before/after comparison of the layering
 * (docs/adr/0007-shared-layer.md): imports across layers, import circles, duplicated code, the
 * declared shapes of one end of a flow, and lines of code per part. Every count is read from the
 * sources as text or syntax, with no compiler run and nothing installed in the checkout, so an
 * old commit is measured by the same rules as the current one. scripts/structure-report.sh
 * unpacks commits and calls this.
 *
 * Usage: node --import tsx scripts/structure-report.ts LABEL=DIR [LABEL=DIR...]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { circles, isTestCode, resolveSpecifier, ROOTS, specifiersOf } from './lint/import-graph.js';
import { boundaryProblem, layerOf } from './lint/layers.js';

/** One import across layers that the lint's `layers/boundaries` refuses. */
export interface CrossImport {
  from: string;
  to: string;
  /** `daemons/evaluator -> daemons/broker`, `plugin -> daemons/broker`, `... -> testing`. */
  kind: string;
}

/** One declared shape of a flow end: where, its name, its fields. */
export interface EndShape {
  file: string;
  line: number;
  name: string;
  fields: string[];
  /** The end's own fields, normalised (endFields): two shapes with the same list differ only in spelling or optionality. */
  end: string[];
  /**
   * The end must always carry its namespace or pod (a member without `?`, a zod field without
   * `.optional()`, a JSON schema property listed in `required`): an end no pod owns can then only
   * say so with a blank, `''`. See blankWhenMissing.
   */
  blankMissing: boolean;
}

export interface Duplicates {
  pairs: number;
  /** Pairs the tool marks boilerplate: alike in shape, most of it thin (punctuation, keywords). */
  boilerplate: number;
  files: number;
  /** The tool's first line, as it said it. */
  said: string;
}

export interface StructureReport {
  crossImports: CrossImport[];
  circles: string[][];
  duplicatesAll: Duplicates;
  duplicatesProduction: Duplicates;
  endShapes: EndShape[];
  /** Lines of code (lines holding anything but white space and comments) per part. */
  loc: Map<string, number>;
}

/** The parts lines of code are counted for, in the order they are printed. */
export const PARTS = ['contracts', 'runtime', 'daemons/broker', 'daemons/evaluator', 'daemons/agent', 'policy', 'plugin', 'other production', 'tests', 'benchmarks'] as const;

const SKIP_DIRS = new Set(['node_modules', '.git', 'assets', 'dist', '.cache']);

/** Every file under `root` (repository paths), build output and installed packages left out. */
function walk(root: string, dir = '', out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (SKIP_DIRS.has(name)) continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) walk(root, path, out);
    else out.push(path);
  }
  return out;
}

const isTs = (p: string): boolean => p.endsWith('.ts') && !p.endsWith('.d.ts');
/** Production code of the parts the lint's layers cover (import-graph.js ROOTS): what ships. */
export const isProduction = (p: string): boolean => isTs(p) && ROOTS.includes(p.split('/')[0] ?? '') && !isTestCode(p);

/** The part a TypeScript file's lines are counted in. */
export function partOf(path: string): (typeof PARTS)[number] {
  if (path.split('/')[0] === 'bench') return 'benchmarks';
  if (isTestCode(path)) return 'tests';
  const layer = layerOf(path);
  return (PARTS as readonly string[]).includes(layer) && layer !== 'tests' && layer !== 'benchmarks' ? (layer as (typeof PARTS)[number]) : 'other production';
}

/** Lines that hold a token: blank lines and comment-only lines do not count. */
export function linesOfCode(source: string): number {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false);
  const lines = new Set<number>();
  // The syntax tree's tokens, not a bare scan: a template's `}` or a regex needs the parser's
  // context to be read as one token. JSDoc nodes are comments.
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (node.getChildCount(file) === 0 && node.kind !== ts.SyntaxKind.EndOfFileToken) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      for (let l = start; l <= end; l++) lines.add(l);
    }
    node.getChildren(file).forEach(visit);
  };
  visit(file);
  return lines.size;
}

const END_FIELDS = ['namespace', 'pod', 'podname', 'workload'];

const normal = (field: string): string => field.toLowerCase().replaceAll('_', '');

/**
 * The fields of one flow end in a set of field names, or undefined when there is none: an address
 * (`ip`, or `srcIp`, `src_ip`...) and, under the same prefix, who owns it (`namespace`, `pod`,
 * `podName` or `workload`). Case and underscores are ignored, so `src_pod` goes with `srcIp`; the
 * end's fields are those under that prefix, the prefix taken off (`src_pod_uid` is `poduid`).
 */
export function endFields(fields: readonly string[]): string[] | undefined {
  const prefix = endPrefix(fields);
  if (prefix === undefined) return undefined;
  return [...new Set(fields.map(normal))].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)).sort();
}

/** The prefix of the end's fields (normalised: '' for `ip`, `src` for `srcIp`), or undefined when there is no end. */
function endPrefix(fields: readonly string[]): string | undefined {
  const norm = new Set(fields.map(normal));
  for (const f of norm) {
    if (!f.endsWith('ip')) continue;
    const prefix = f.slice(0, -2);
    if (END_FIELDS.some((e) => norm.has(prefix + e))) return prefix;
  }
  return undefined;
}

function nameOf(node: ts.Node): string | undefined {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node)) return node.name?.text;
  if (ts.isVariableDeclaration(node) || ts.isPropertySignature(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) {
    return ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : undefined;
  }
  return undefined;
}

/** The names of the declarations around a node, outermost first: `Offender.source`. */
function qualifiedName(node: ts.Node): string {
  const names: string[] = [];
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    const name = nameOf(n);
    if (name !== undefined) names.unshift(name);
  }
  return names.join('.') || '(anonymous)';
}

function memberNames(members: ts.NodeArray<ts.TypeElement> | ts.NodeArray<ts.ObjectLiteralElementLike>): string[] {
  return members.flatMap((m) => (m.name !== undefined && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? [m.name.text] : []));
}

/** A zod object schema (`z.object({...})`, `strictObject`, `looseObject`, `.extend({...})`) or a JSON schema's `properties`. */
function isSchemaLiteral(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  if (ts.isCallExpression(parent) && ts.isPropertyAccessExpression(parent.expression)) return /^(object|strictObject|looseObject|extend)$/.test(parent.expression.name.text);
  return ts.isPropertyAssignment(parent) && nameOf(parent) === 'properties';
}

/** The end's owner fields (namespace, pod, podName, workload) among a declaration's own fields, as written. */
function ownerFieldsOf(fields: readonly string[]): Set<string> {
  const prefix = endPrefix(fields);
  if (prefix === undefined) return new Set();
  return new Set(fields.filter((f) => normal(f).startsWith(prefix) && END_FIELDS.includes(normal(f).slice(prefix.length))));
}

/** A zod field that may be left out: `.optional()` or `.nullish()` and no `.default(...)` after it. */
function zodOptional(init: ts.Expression, sf: ts.SourceFile): boolean {
  const text = init.getText(sf);
  return /\.(optional|nullish)\(\)/.test(text) && !/\.default\(/.test(text);
}

/** The names a JSON schema's sibling `required` lists. */
function requiredOf(properties: ts.ObjectLiteralExpression): Set<string> {
  const schema = properties.parent.parent;
  if (!ts.isObjectLiteralExpression(schema)) return new Set();
  const req = schema.properties.find((p) => ts.isPropertyAssignment(p) && nameOf(p) === 'required');
  if (req === undefined || !ts.isPropertyAssignment(req) || !ts.isArrayLiteralExpression(req.initializer)) return new Set();
  return new Set(req.initializer.elements.flatMap((e) => (ts.isStringLiteral(e) ? [e.text] : [])));
}

/**
 * Whether a declared end must carry a name it may not have: one of its owner fields is required
 * and cannot hold `undefined` or `null`, so an end no pod owns can only leave it blank. Type
 * members and zod fields read as written; a JSON schema's properties by its `required`.
 */
export function blankWhenMissing(node: ts.InterfaceDeclaration | ts.TypeLiteralNode | ts.ObjectLiteralExpression, sf: ts.SourceFile): boolean {
  const fields = ts.isObjectLiteralExpression(node) ? memberNames(node.properties) : memberNames(node.members);
  const names = ownerFieldsOf(fields);
  if (ts.isObjectLiteralExpression(node)) {
    if (ts.isPropertyAssignment(node.parent) && nameOf(node.parent) === 'properties') {
      const required = requiredOf(node);
      return [...names].some((n) => required.has(n));
    }
    return node.properties.some((p) => ts.isPropertyAssignment(p) && names.has(nameOf(p) ?? '') && !zodOptional(p.initializer, sf));
  }
  return node.members.some((m) => ts.isPropertySignature(m) && names.has(nameOf(m) ?? '') && m.questionToken === undefined && !mayBeUndefined(m.type));
}

/** A member type that can say "none" itself: a union with `undefined` or `null`. */
function mayBeUndefined(type: ts.TypeNode | undefined): boolean {
  if (type === undefined || !ts.isUnionTypeNode(type)) return false;
  return type.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
}

/**
 * The shapes of a flow end declared in one file: interfaces, object type literals (in a type
 * alias or inline), zod object schemas and JSON schemas' `properties` whose own fields pass
 * endFields. Types derived from another (`z.infer`, `Pick`, `extends` alone) are not new shapes.
 */
export function endShapes(file: string, source: string): EndShape[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: EndShape[] = [];
  const add = (node: ts.InterfaceDeclaration | ts.TypeLiteralNode | ts.ObjectLiteralExpression, fields: string[]): void => {
    const end = endFields(fields);
    if (end === undefined) return;
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, name: qualifiedName(node), fields, end, blankMissing: blankWhenMissing(node, sf) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) add(node, memberNames(node.members));
    else if (ts.isObjectLiteralExpression(node) && isSchemaLiteral(node)) add(node, memberNames(node.properties));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // The same literal written for both ends of one declaration (`src: {...}; dst: {...}`) is one shape.
  const seen = new Set<string>();
  return found.filter((s) => {
    const key = `${s.name.split('.')[0] ?? ''}|${[...s.fields].sort().join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The kind of a refused import, by the layers it joins. */
function crossKind(from: string, to: string): string {
  if (to.split('/').includes('testing')) return `${layerOf(from)} -> a testing/ helper`;
  return `${layerOf(from)} -> ${layerOf(to)}`;
}

function importsAcross(root: string, files: readonly string[]): { cross: CrossImport[]; graph: Map<string, Set<string>> } {
  const production = new Set(files.filter(isProduction));
  const cross: CrossImport[] = [];
  const graph = new Map<string, Set<string>>();
  for (const from of production) {
    const targets = specifiersOf(readFileSync(join(root, from), 'utf8')).map((s) => resolveSpecifier(from, s));
    for (const to of targets) if (boundaryProblem(from, to) !== undefined) cross.push({ from, to, kind: crossKind(from, to) });
    graph.set(from, new Set(targets.filter((t) => production.has(t))));
  }
  return { cross, graph };
}

/** Whether the `duplicates` tool is on PATH (a developer tool of this workplace, not an npm package). */
function haveDuplicatesTool(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v duplicates'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const NOT_MEASURED: Duplicates = { pairs: NaN, boilerplate: NaN, files: NaN, said: 'not measured: the duplicates tool is not on PATH' };

/** Runs the `duplicates` tool over a copy of just these files (it reads every file of a folder that is not a checkout). */
function duplicates(root: string, files: readonly string[]): Duplicates {
  if (!haveDuplicatesTool()) return NOT_MEASURED;
  const dir = mkdtempSync(join(tmpdir(), 'kg-structure-dups-'));
  try {
    for (const f of files) {
      mkdirSync(join(dir, dirname(f)), { recursive: true });
      cpSync(join(root, f), join(dir, f));
    }
    const out = execFileSync('duplicates', ['--repo', dir, '--most', '1', '--seconds', '300'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    return readDuplicates(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The counts in the tool's first line: `183 pairs of places (781 files read), ...` or `no duplicates (N files read)`. */
export function readDuplicates(out: string): Duplicates {
  const said = out.split('\n')[0] ?? '';
  const incomplete = /^incomplete: .*/m.exec(out);
  if (incomplete) throw new Error(`duplicates did not finish: ${incomplete[0]}`);
  const files = Number(/\((\d+) files? read\)/.exec(said)?.[1] ?? NaN);
  if (/^no duplicates/.test(said)) return { pairs: 0, boilerplate: 0, files, said };
  const pairs = Number(/^(\d+) pairs? of places/.exec(said)?.[1] ?? NaN);
  if (Number.isNaN(pairs) || Number.isNaN(files)) throw new Error(`duplicates printed an unexpected first line: ${said}`);
  const boilerplate = Number(/(\d+) of those marked boilerplate/.exec(said)?.[1] ?? 0);
  return { pairs, boilerplate, files, said };
}

/** TypeScript sources and scripts: what the duplicates count reads (generated bundles left out). */
const isCodeForDuplicates = (p: string): boolean => (isTs(p) || p.endsWith('.sh') || (p.startsWith('scripts/') && p.endsWith('.js'))) && !p.endsWith('.bundle.js');

export function measure(root: string): StructureReport {
  const files = walk(root);
  const { cross, graph } = importsAcross(root, files);
  const loc = new Map<string, number>(PARTS.map((p) => [p, 0]));
  const endShapesFound: EndShape[] = [];
  for (const f of files.filter(isTs)) {
    const source = readFileSync(join(root, f), 'utf8');
    const part = partOf(f);
    loc.set(part, (loc.get(part) ?? 0) + linesOfCode(source));
    if (isProduction(f)) endShapesFound.push(...endShapes(f, source));
  }
  return {
    crossImports: cross,
    circles: circles(graph),
    duplicatesAll: duplicates(root, files.filter(isCodeForDuplicates)),
    duplicatesProduction: duplicates(root, files.filter(isProduction)),
    endShapes: endShapesFound,
    loc,
  };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function countBy<T>(xs: readonly T[], key: (x: T) => string): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k}: ${n}`).join('; ') || 'none';
}

const dupCell = (d: Duplicates): string => (Number.isNaN(d.pairs) ? 'not measured' : `${fmt(d.pairs - d.boilerplate)} / ${fmt(d.pairs)} (${fmt(d.files)})`);

/** The before/after table: one column per checkout. */
export function summaryTable(reports: readonly { label: string; report: StructureReport }[]): string {
  const rows: [string, (r: StructureReport) => string][] = [
    ['imports across layers (production)', (r) => fmt(r.crossImports.length)],
    ['of which daemon -> other daemon', (r) => fmt(r.crossImports.filter((c) => /^daemons\/\S+ -> daemons\//.test(c.kind)).length)],
    ['import circles (files in them)', (r) => `${fmt(r.circles.length)} (${fmt(r.circles.reduce((n, c) => n + c.length, 0))})`],
    ['duplicates: pairs in TypeScript and scripts, not boilerplate / all (files read)', (r) => dupCell(r.duplicatesAll)],
    ['duplicates: pairs in production TypeScript, not boilerplate / all (files read)', (r) => dupCell(r.duplicatesProduction)],
    ['shapes of a flow end: declarations', (r) => fmt(r.endShapes.length)],
    ['shapes of a flow end: distinct field lists', (r) => fmt(new Set(r.endShapes.map((s) => s.end.join(','))).size)],
    ["shapes of a flow end: of which a missing name is spelt ''", (r) => fmt(r.endShapes.filter((s) => s.blankMissing).length)],
    ...PARTS.map((p): [string, (r: StructureReport) => string] => [`lines of code: ${p}`, (r) => fmt(r.loc.get(p) ?? 0)]),
    ['lines of code: production total', (r) => fmt(PARTS.filter((p) => p !== 'tests' && p !== 'benchmarks').reduce((n, p) => n + (r.loc.get(p) ?? 0), 0))],
  ];
  return [
    `| measure | ${reports.map((r) => r.label).join(' | ')} |`,
    `|---|${reports.map(() => '---').join('|')}|`,
    ...rows.map(([title, f]) => `| ${title} | ${reports.map((r) => f(r.report)).join(' | ')} |`),
  ].join('\n');
}

/** What stands behind each count, for one checkout. */
export function details(label: string, r: StructureReport): string {
  return [
    `### ${label}`,
    `Imports across layers by kind: ${countBy(r.crossImports, (c) => c.kind)}.`,
    `Import circles:${r.circles.length === 0 ? ' none.' : ''}`,
    ...r.circles.map((c) => `- ${c.join(', ')}`),
    `Duplicates, TypeScript and scripts: ${r.duplicatesAll.said}`,
    `Duplicates, production TypeScript: ${r.duplicatesProduction.said}`,
    `Shapes of a flow end, by field list: ${countBy(r.endShapes, (s) => `{${s.end.join(', ')}}`)}.`,
    ...r.endShapes.map((s) => `- ${s.file}:${s.line} ${s.name}: ${s.end.join(', ')}${s.end.length < s.fields.length ? ` (in ${s.fields.length} fields)` : ''}${s.blankMissing ? "; a missing name is ''" : ''}`),
  ].join('\n');
}

function main(args: readonly string[]): void {
  if (args.length === 0) throw new Error('usage: structure-report.ts LABEL=DIR [LABEL=DIR...]');
  const reports = args.map((a) => {
    const eq = a.indexOf('=');
    const [label, dir] = eq < 0 ? [a, a] : [a.slice(0, eq), a.slice(eq + 1)];
    if (!existsSync(dir)) throw new Error(`${dir}: no such folder`);
    return { label, report: measure(dir) };
  });
  process.stdout.write(`${summaryTable(reports)}\n\n${reports.map((r) => details(r.label, r.report)).join('\n\n')}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
