/**
 * Multi-document YAML with positions. Documents are split at `---` lines before parsing, so
 * every document knows its number and first line, and any later complaint about a field can
 * say where the document is. Syntax errors report the exact line.
 */
import yaml from 'js-yaml';
import { InputError } from '../errors.js';
import type { Source } from './read-source.js';
import { loadWithLines, type YamlPath } from './yaml-lines.js';

export interface YamlDocument {
  value: unknown;
  /** 1-based document number within the file. */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  /** With `lines`: the 1-based line of the field at a path (the document's line when unknown). */
  lineOf?: (path: YamlPath) => number;
}

export interface ParseOptions {
  /** Track each field's line (policy files, where errors point at fields; not needed for big snapshots). */
  lines?: boolean;
}

const SEPARATOR = /^---(\s|$)/;

function splitDocuments(text: string): { text: string; line: number }[] {
  const lines = text.split('\n');
  const docs: { text: string; line: number }[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || SEPARATOR.test(lines[i] ?? '')) {
      if (i > start) docs.push({ text: lines.slice(start, i).join('\n'), line: start + 1 });
      start = i + 1;
    }
  }
  return docs;
}

function firstContentLine(text: string, line: number): number {
  const offset = text.split('\n').findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  return offset === -1 ? line : line + offset;
}

/** Parses every non-empty document; blank or comment-only documents are skipped, as kubectl does. */
export function parseYamlDocuments(source: Source, opts: ParseOptions = {}): YamlDocument[] {
  const out: YamlDocument[] = [];
  let index = 0;
  for (const chunk of splitDocuments(source.text)) {
    let value: unknown;
    let lineOf: YamlDocument['lineOf'];
    try {
      if (opts.lines) {
        const loaded = loadWithLines(chunk.text, source.name);
        value = loaded.value;
        lineOf = (path) => chunk.line + loaded.lineOf(path);
      } else value = yaml.load(chunk.text, { filename: source.name });
    } catch (e) {
      const mark = (e as yaml.YAMLException).mark as { line?: number } | undefined;
      const reason = (e as yaml.YAMLException).reason || String(e);
      const line = mark?.line !== undefined ? chunk.line + mark.line : chunk.line;
      throw new InputError({ file: source.name, line }, `invalid YAML: ${reason}`);
    }
    if (value === null || value === undefined) continue;
    index++;
    const line = firstContentLine(chunk.text, chunk.line);
    out.push({ value, index, line, ...(lineOf ? { lineOf: (path: YamlPath) => (path.length === 0 ? line : lineOf(path)) } : {}) });
  }
  return out;
}
