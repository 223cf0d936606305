/**
 * The upstream suite's own result, read from the report Ginkgo writes (`--ginkgo.json-report`):
 * one entry per spec that was selected (focus and skip applied), with its state and run time.
 */
import { readFile } from 'node:fs/promises';

export interface SpecResult {
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'other';
  /** Seconds. */
  seconds: number;
  start: number;
  end: number;
  /** The failure message, first line only. */
  failure?: string;
  /** The namespaces the spec's log names (the suite's x, y, z with their random suffixes). */
  namespaces: string[];
}

export interface SuiteResult {
  specs: SpecResult[];
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}

interface GinkgoSpecReport {
  ContainerHierarchyTexts?: string[] | null;
  LeafNodeText?: string;
  LeafNodeType?: string;
  State?: string;
  StartTime?: string;
  EndTime?: string;
  RunTime?: number;
  NumAttempts?: number;
  Failure?: { Message?: string };
  CapturedGinkgoWriterOutput?: string;
}

interface GinkgoReport {
  RunTime?: number;
  SpecReports?: GinkgoSpecReport[] | null;
}

function stateOf(s: string | undefined): SpecResult['state'] {
  if (s === 'passed' || s === 'failed' || s === 'skipped') return s;
  return 'other';
}

/** Namespaces a spec's log names: the framework logs `Destroying namespace "NAME"` for each. */
function namespacesIn(log: string): string[] {
  return [...new Set([...log.matchAll(/namespace "([a-z0-9-]+)"/g)].map((m) => m[1]!))].sort();
}

function fullName(s: GinkgoSpecReport): string {
  return [...(s.ContainerHierarchyTexts ?? []), s.LeafNodeText ?? ''].filter(Boolean).join(' ');
}

/** One spec that ran, its failure's first non-blank line when it did not pass. */
function specResult(s: GinkgoSpecReport): SpecResult {
  const start = s.StartTime ? Date.parse(s.StartTime) : NaN;
  const failure = s.Failure?.Message?.split('\n').find((l) => l.trim() !== '');
  return {
    name: fullName(s),
    state: stateOf(s.State),
    seconds: (s.RunTime ?? 0) / 1e9,
    start,
    end: s.EndTime ? Math.max(start, Date.parse(s.EndTime)) : start,
    ...(failure && s.State !== 'passed' ? { failure: failure.trim() } : {}),
    namespaces: namespacesIn(s.CapturedGinkgoWriterOutput ?? ''),
  };
}

/**
 * The specs Ginkgo ran (a spec that skipped itself at run time, e2eskipper, ran). Specs left out by
 * the focus or skip are reported too, as skipped with no attempt: they are not part of the run and
 * are dropped.
 */
export function parseGinkgoReport(text: string): SuiteResult {
  const reports = JSON.parse(text) as GinkgoReport[];
  const specs: SpecResult[] = [];
  let seconds = 0;
  for (const r of reports) {
    seconds += (r.RunTime ?? 0) / 1e9;
    for (const s of r.SpecReports ?? []) {
      if (s.LeafNodeType !== 'It' || (s.NumAttempts ?? 0) === 0) continue;
      specs.push(specResult(s));
    }
  }
  specs.sort((a, b) => a.start - b.start);
  return {
    specs,
    passed: specs.filter((s) => s.state === 'passed').length,
    failed: specs.filter((s) => s.state === 'failed' || s.state === 'other').length,
    skipped: specs.filter((s) => s.state === 'skipped').length,
    seconds,
  };
}

export async function readGinkgoReport(path: string): Promise<SuiteResult> {
  return parseGinkgoReport(await readFile(path, 'utf8'));
}

/** Merges the results of e2e.test processes that ran disjoint parts of the suite at once. */
export function mergeResults(parts: readonly SuiteResult[], wallSeconds: number): SuiteResult {
  const specs = parts.flatMap((p) => p.specs).sort((a, b) => a.start - b.start);
  return {
    specs,
    passed: parts.reduce((n, p) => n + p.passed, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    skipped: parts.reduce((n, p) => n + p.skipped, 0),
    seconds: wallSeconds,
  };
}

/** The full names of the specs a dry run (`--ginkgo.dry-run`) would run. */
export function plannedSpecs(text: string): string[] {
  const reports = JSON.parse(text) as GinkgoReport[];
  return reports.flatMap((r) => (r.SpecReports ?? [])
    .filter((s) => s.LeafNodeType === 'It' && s.State === 'passed')
    .map(fullName));
}
