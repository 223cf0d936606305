// The decoder's copies of KG_RECORD_VERSION and of the record type, direction and state enums
// (record-layout.ts) against their one definition, bpf/flow_record.h. record-btf.kernel.test.ts
// checks sizes and offsets only; a renumbered enumerator or a new record type added on one side
// would otherwise decode every flow with the wrong meaning (or skip it) without any error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Direction, RECORD_VERSION, RecordType, State } from './record-layout.js';
import { camelAfter, cDefine, cEnum } from './testing/c-header.js';

const HEADER = readFileSync(join(import.meta.dirname, '..', '..', 'bpf', 'flow_record.h'), 'utf8');

/** C enum, its enumerators' prefix, the TypeScript object mirroring it. */
const ENUMS: readonly [string, string, Readonly<Record<string, number>>][] = [
  ['kg_record_type', 'KG_REC_', RecordType],
  ['kg_direction', 'KG_DIR_', Direction],
  ['kg_state', 'KG_STATE_', State],
];

describe('record-layout.ts constants match bpf/flow_record.h', () => {
  it('KG_RECORD_VERSION', () => {
    expect(RECORD_VERSION).toBe(cDefine(HEADER, 'KG_RECORD_VERSION'));
  });

  it.each(ENUMS)('enum %s (%s*): same names, same values, nothing missing on either side', (name, prefix, ts) => {
    const fromC = Object.fromEntries([...cEnum(HEADER, name)].map(([id, v]) => [camelAfter(prefix, id), v]));
    expect(fromC).not.toEqual({});
    expect({ ...ts }).toEqual(fromC);
  });
});

// The reader itself, so a pass above means the header was really read.
describe('c-header reader', () => {
  const SAMPLE = `
#define A_VERSION 7 /* comment */
// #define COMMENTED 9
#define HEX 0x10u
enum colours {
	RED = 1,  /* first, = 5 in a comment */
	GREEN,    // implicit: 2
	BLUE = 0x8,
	LAST,
};
enum empty_first { ZERO, ONE };
`;
  it.each([
    ['A_VERSION', 7],
    ['HEX', 16],
  ])('#define %s = %i', (name, value) => {
    expect(cDefine(SAMPLE, name)).toBe(value);
  });

  it('reads explicit and implicit enumerator values, ignoring comments', () => {
    expect([...cEnum(SAMPLE, 'colours')]).toEqual([
      ['RED', 1],
      ['GREEN', 2],
      ['BLUE', 8],
      ['LAST', 9],
    ]);
    expect([...cEnum(SAMPLE, 'empty_first')]).toEqual([
      ['ZERO', 0],
      ['ONE', 1],
    ]);
  });

  it.each([
    ['a define commented out', () => cDefine(SAMPLE, 'COMMENTED')],
    ['an absent enum', () => cEnum(SAMPLE, 'shapes')],
    ['a non-literal define', () => cDefine('#define X (1 << 2)\n', 'X')],
    ['an enumerator it cannot evaluate', () => cEnum('enum e { A = 1 << 2 };', 'e')],
  ])('throws on %s', (_what, read) => {
    expect(read).toThrow();
  });

  it.each([
    ['KG_REC_UDP_NEW', 'KG_REC_', 'udpNew'],
    ['KG_STATE_REFUSED', 'KG_STATE_', 'refused'],
    ['KG_DIR_EGRESS', 'KG_DIR_', 'egress'],
  ])('camelAfter(%s)', (id, prefix, camel) => {
    expect(camelAfter(prefix, id)).toBe(camel);
  });
});
