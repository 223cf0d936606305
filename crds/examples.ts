/**
 * The CRD examples in crds/testdata/: valid/*.yaml must be accepted as written and
 * invalid/*.yaml rejected, each invalid one saying in two annotations which field the
 * API server's error must name and what it must say. Also finds the example manifests in
 * the seed documents (../shared/seeds), which valid/seed-*.yaml copy byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

export const TESTDATA = join(import.meta.dirname, 'testdata');
export const SEEDS_DIR = join(import.meta.dirname, '..', '..', 'shared', 'seeds');
export const EXPECT_FIELD = 'kguardian.dev/expect-field';
export const EXPECT_MESSAGE = 'kguardian.dev/expect-message';

export interface ExampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

export interface Example {
  file: string;
  path: string;
  name: string;
  kind: string;
  text: string;
  object: ExampleObject;
}

export interface InvalidExample extends Example {
  /** The field path the error must name, such as spec.ingress[0].ports[0].protocol. */
  field: string;
  /** Words the error must contain. */
  message: string;
}

function load(folder: 'valid' | 'invalid'): Example[] {
  const dir = join(TESTDATA, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const object = yaml.load(text) as ExampleObject;
      if (`${object.metadata.name}.yaml` !== file && `seed-${object.metadata.name}.yaml` !== file) {
        throw new Error(`${path}: metadata.name must match the file name`);
      }
      return { file, path, name: object.metadata.name, kind: object.kind, text, object };
    });
}

export function validExamples(): Example[] {
  return load('valid');
}

export function invalidExamples(): InvalidExample[] {
  return load('invalid').map((example) => {
    const annotations = example.object.metadata.annotations ?? {};
    const field = annotations[EXPECT_FIELD];
    const message = annotations[EXPECT_MESSAGE];
    if (!field || !message) throw new Error(`${example.path}: needs the annotations ${EXPECT_FIELD} and ${EXPECT_MESSAGE}`);
    return { ...example, field, message };
  });
}

export interface SeedExample {
  seed: string;
  name: string;
  text: string;
}

/**
 * The kguardian manifests quoted in the seed documents: from a line "apiVersion:
 * kguardian.dev/..." through the indented, comment and top-level key lines that follow.
 * Empty when the seeds folder is not beside the repository.
 */
export function seedExamples(dir = SEEDS_DIR): SeedExample[] {
  if (!existsSync(dir)) return [];
  const found: SeedExample[] = [];
  for (const seed of readdirSync(dir).sort()) {
    let block: string[] | null = null;
    const flush = (): void => {
      if (!block) return;
      const text = `${block.join('\n')}\n`;
      const name = (yaml.load(text) as ExampleObject).metadata.name;
      found.push({ seed, name, text });
      block = null;
    };
    for (const line of readFileSync(join(dir, seed), 'utf8').split('\n')) {
      if (line.startsWith('apiVersion: kguardian.dev/')) {
        flush();
        block = [line];
      } else if (block && (/^[ #]/.test(line) || /^[A-Za-z][\w.-]*:( |$)/.test(line))) {
        block.push(line);
      } else {
        flush();
      }
    }
    flush();
  }
  return found;
}
