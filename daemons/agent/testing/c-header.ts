/**
 * Just enough of a C header reader for tests that compare TypeScript copies of constants with
 * their one definition (bpf/flow_record.h): object-like `#define NAME <integer>` and the
 * enumerators of `enum name { ... };`, with C's rule that an enumerator without `= value` is one
 * more than the previous (the first is 0). Anything it cannot read as an integer throws, so a
 * header grown past what it understands fails the test instead of being half compared.
 */

const stripComments = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

function integer(text: string, what: string): number {
  const t = text.trim().replace(/[uUlL]+$/, '');
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(t)) throw new Error(`${what}: cannot read ${JSON.stringify(text.trim())} as an integer`);
  return Number(t);
}

/** The integer value of `#define name value`; throws if absent or not an integer literal. */
export function cDefine(header: string, name: string): number {
  const m = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${name}[ \\t]+([^\\n]+)$`, 'm').exec(stripComments(header));
  if (!m?.[1]) throw new Error(`#define ${name} not found`);
  return integer(m[1], name);
}

/** Enumerator name -> value of `enum name { ... }`, in declaration order; throws if absent. */
export function cEnum(header: string, name: string): Map<string, number> {
  const m = new RegExp(`\\benum[ \\t\\n]+${name}[ \\t\\n]*\\{([^}]*)\\}`).exec(stripComments(header));
  if (!m?.[1]) throw new Error(`enum ${name} not found`);
  const out = new Map<string, number>();
  let next = 0;
  for (const item of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id = '', value] = item.split('=').map((s) => s.trim());
    if (!/^[A-Za-z_]\w*$/.test(id)) throw new Error(`enum ${name}: cannot read enumerator ${JSON.stringify(item)}`);
    const v = value === undefined ? next : integer(value, `${name}.${id}`);
    out.set(id, v);
    next = v + 1;
  }
  return out;
}

/** KG_REC_UDP_NEW with prefix KG_REC_ -> udpNew: how record-layout.ts names C enumerators. */
export function camelAfter(prefix: string, id: string): string {
  if (!id.startsWith(prefix)) throw new Error(`${id} does not start with ${prefix}`);
  return id
    .slice(prefix.length)
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
