// Tetragon's trick: the compiled BPF object's BTF is the compiler's own account of the record
// structs. If the TypeScript layout tables disagree with it on any size, field name or offset,
// the decoder would silently misread flows, so fail here instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYOUTS_BY_STRUCT } from './record-layout.js';
import { BPF_OBJECT } from '../../test/netns/paths.js';

interface BtfMember {
  name: string;
  type_id: number;
  bits_offset: number;
}
interface BtfType {
  id: number;
  kind: string;
  name?: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  members?: BtfMember[];
}

function loadBtf(): Map<number, BtfType> {
  if (!existsSync(BPF_OBJECT)) throw new Error(`${BPF_OBJECT} is missing: run make -C bpf first`);
  const out = execFileSync('bpftool', ['btf', 'dump', 'file', BPF_OBJECT, '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const types = (JSON.parse(out) as { types: BtfType[] }).types;
  return new Map(types.map((t) => [t.id, t]));
}

/** Byte size of a BTF type, following typedefs and qualifiers. */
function sizeOf(types: Map<number, BtfType>, id: number): number {
  const t = types.get(id);
  if (!t) throw new Error(`BTF type ${id} not found`);
  if (t.kind === 'ARRAY') return (t.nr_elems ?? 0) * sizeOf(types, t.type_id!);
  if (t.kind === 'TYPEDEF' || t.kind === 'CONST' || t.kind === 'VOLATILE') return sizeOf(types, t.type_id!);
  return t.size ?? 0;
}

describe('record layout matches the BPF object BTF', () => {
  const types = loadBtf();
  const structs = new Map([...types.values()].filter((t) => t.kind === 'STRUCT' && t.name).map((t) => [t.name!, t]));

  it.each(Object.entries(LAYOUTS_BY_STRUCT))('struct %s', (name, layout) => {
    const struct = structs.get(name);
    expect(struct, `struct ${name} in BTF`).toBeDefined();
    expect(struct!.size).toBe(layout.size);
    const fromBtf = Object.fromEntries(
      struct!.members!.map((m) => [m.name, { offset: m.bits_offset / 8, size: sizeOf(types, m.type_id) }]),
    );
    expect(fromBtf).toEqual(layout.fields);
  });
});
