/**
 * Test helper, preloaded with `node --import tsx --import ./plugin/testing/record-loads.ts`:
 * records every module the process loads, one resolved URL or path a line, into the file named
 * by KG_RECORD_LOADS. ES modules are seen by a resolve hook (it runs on the loader thread, so it
 * appends synchronously); CommonJS requires by wrapping Module._load on the main thread.
 * plugin/startup.test.ts uses it to prove that `--help` stays light.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: Load;
  _resolveFilename: (request: string, parent: unknown, isMain: boolean) => string;
}

const out = process.env.KG_RECORD_LOADS;
if (out) {
  const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(out)}, r.url + '\\n');
  return r;
}`;
  register('data:text/javascript,' + encodeURIComponent(hooks));
  const internals = Module as unknown as ModuleInternals;
  const load = internals._load;
  internals._load = function (this: unknown, request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    let resolved = request;
    try {
      resolved = internals._resolveFilename(request, parent, isMain);
    } catch {
      // A built-in or an odd request: the request itself says enough.
    }
    appendFileSync(out, resolved + '\n');
    return loaded;
  };
}
