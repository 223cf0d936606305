/**
 * Walks parsed YAML documents as Kubernetes objects: a `List` (what `kubectl get -o yaml`
 * prints) is expanded into its items, and each object keeps the location it came from so
 * later problems can name the file, document and item.
 */
import { InputError, type InputLocation } from '../errors.js';
import type { Source } from '../input/read-source.js';
import { parseYamlDocuments, type ParseOptions } from '../input/yaml-documents.js';
import type { YamlPath } from '../input/yaml-lines.js';

export interface LocatedObject {
  object: Record<string, unknown>;
  kind: string;
  location: InputLocation;
  /** Prefix for field paths inside this object: "items[3]." for List items, "" otherwise. */
  fieldPrefix: string;
  /** With ParseOptions.lines: the 1-based line of a field of this object. */
  lineOf?: (path: YamlPath) => number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readObjects(source: Source, opts: ParseOptions = {}): LocatedObject[] {
  const out: LocatedObject[] = [];
  for (const doc of parseYamlDocuments(source, opts)) {
    const docLines = doc.lineOf;
    const location: InputLocation = { file: source.name, document: doc.index, line: doc.line };
    if (!isRecord(doc.value)) throw new InputError(location, 'expected a Kubernetes object (a map with kind, metadata, spec)');
    const kind = doc.value.kind;
    if (typeof kind !== 'string' || kind === '') throw new InputError({ ...location, field: 'kind' }, 'is required');
    if (kind === 'List' || kind.endsWith('List')) {
      const items = doc.value.items;
      if (!Array.isArray(items)) throw new InputError({ ...location, field: 'items' }, 'a List needs an items array');
      items.forEach((item: unknown, i) => {
        const prefix = `items[${i}]`;
        if (!isRecord(item) || typeof item.kind !== 'string')
          throw new InputError({ ...location, field: `${prefix}.kind` }, 'each item must be an object with a kind');
        out.push({ object: item, kind: item.kind, location, fieldPrefix: `${prefix}.`, ...(docLines ? { lineOf: (path: YamlPath) => docLines(['items', i, ...path]) } : {}) });
      });
    } else out.push({ object: doc.value, kind, location, fieldPrefix: '', ...(docLines ? { lineOf: docLines } : {}) });
  }
  return out;
}
