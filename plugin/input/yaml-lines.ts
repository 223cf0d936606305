/**
 * The line each field of a YAML document starts on, so an error about `spec.ingress[0].form`
 * can point at the line to fix, not only at the document. js-yaml's parse listener reports each
 * node as it opens (with its line) and closes (with its value); nesting those events gives a tree
 * of nodes whose mapping children alternate key, value, and whose sequence children are the
 * items. A path is then followed down that tree. Where the tree cannot say (a merge key `<<`,
 * a flow-mapping key without a value), the nearest enclosing node's line is returned.
 */
import yaml from 'js-yaml';

export type YamlPath = readonly (string | number)[];

interface Node {
  /** 0-based line in the text where the node starts. */
  line: number;
  kind: string | null;
  result: unknown;
  children: Node[];
}

export interface LoadedWithLines {
  value: unknown;
  /** 0-based line of the field at `path` (its key, for a mapping entry). */
  lineOf(path: YamlPath): number;
}

function child(node: Node, step: string | number): { at: number; next: Node } | undefined {
  if (node.kind === 'sequence' && typeof step === 'number') {
    const next = node.children[step];
    return next ? { at: next.line, next } : undefined;
  }
  if (node.kind !== 'mapping') return undefined;
  for (let i = 0; i + 1 < node.children.length; i += 2) {
    const key = node.children[i];
    const value = node.children[i + 1];
    if (key && value && String(key.result) === String(step)) return { at: key.line, next: value };
  }
  return undefined;
}

export function loadWithLines(text: string, filename: string): LoadedWithLines {
  const stack: Node[] = [{ line: 0, kind: null, result: undefined, children: [] }];
  const listener = (event: yaml.EventType, state: yaml.State): void => {
    if (event === 'open') {
      stack.push({ line: state.line, kind: null, result: undefined, children: [] });
      return;
    }
    const node = stack.pop();
    if (!node) return;
    node.kind = state.kind;
    node.result = state.result as unknown;
    stack.at(-1)?.children.push(node);
  };
  const value = yaml.load(text, { filename, listener });
  const root = stack[0]?.children[0];
  return {
    value,
    lineOf(path: YamlPath): number {
      let node = root;
      let line = root?.line ?? 0;
      for (const step of path) {
        const found = node ? child(node, step) : undefined;
        if (!found) break;
        line = found.at;
        node = found.next;
      }
      return line;
    },
  };
}
