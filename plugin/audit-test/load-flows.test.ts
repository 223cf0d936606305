/**
 * The optional when-and-how-often fields of a flow line: accepted, checked with the field named,
 * and kept apart from the flow the engine judges.
 */
import { describe, expect, it } from 'vitest';
import { loadFlows } from './load-flows.js';

const FLOW = '"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"tcp","port":80';
const load = (line: string): ReturnType<typeof loadFlows> => loadFlows({ name: 'flows.jsonl', text: line });

describe('loadFlows: firstSeen, lastSeen, count', () => {
  it.each([
    { title: 'a plain line counts once, at no known time', extra: '', seen: { first: undefined, last: undefined, count: 1 } },
    { title: 'both times and a count', extra: ',"firstSeen":"2026-12-01T08:00:00Z","lastSeen":"2026-12-01T09:00:00.500Z","count":7', seen: { first: Date.parse('2026-12-01T08:00:00Z'), last: Date.parse('2026-12-01T09:00:00.500Z'), count: 7 } },
    // One time alone stands for both: a flow seen once.
    { title: 'firstSeen alone is also the last time', extra: ',"firstSeen":"2026-12-01T08:00:00Z"', seen: { first: Date.parse('2026-12-01T08:00:00Z'), last: Date.parse('2026-12-01T08:00:00Z'), count: 1 } },
    { title: 'an offset is accepted', extra: ',"lastSeen":"2026-12-01T09:00:00+01:00"', seen: { first: Date.parse('2026-12-01T08:00:00Z'), last: Date.parse('2026-12-01T08:00:00Z'), count: 1 } },
  ])('$title', ({ extra, seen }) => {
    const [f] = load(`{${FLOW}${extra}}`);
    expect(f?.seen).toEqual(seen);
    expect(f?.flow).toEqual({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, protocol: 'TCP', port: 80 });
  });

  it.each([
    { title: 'a time that is not RFC 3339', extra: ',"firstSeen":"yesterday"', expected: /flows\.jsonl, line 1: firstSeen: must be an RFC 3339 time/ },
    { title: 'a count of zero', extra: ',"count":0', expected: /line 1: count: / },
    { title: 'a fractional count', extra: ',"count":1.5', expected: /line 1: count: must be a whole number/ },
    { title: 'lastSeen before firstSeen', extra: ',"firstSeen":"2026-12-01T09:00:00Z","lastSeen":"2026-12-01T08:00:00Z"', expected: /line 1: lastSeen: is before firstSeen/ },
  ])('refuses $title, naming the field', ({ extra, expected }) => {
    expect(() => load(`{${FLOW}${extra}}`)).toThrow(expected);
  });
});

describe('loadFlows: how a bad line is named', () => {
  // File, line and field, the field written as every other message writes one (contracts/zod-issue.ts).
  it.each([
    { title: 'a field of an end', line: '{"src":{"ip":"10.0.0.300"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80}', message: 'flows.jsonl, line 1: src.ip: is not a valid IPv4 or IPv6 address' },
    { title: 'an end with neither ip nor pod', line: '{"src":{},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80}', message: 'flows.jsonl, line 1: src: needs an ip, or both namespace and pod' },
    // An unknown key is named itself, not the object that holds it, and the message lists the known ones.
    { title: 'an unknown field of the line', line: '{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80,"prot":6}', message: 'flows.jsonl, line 1: prot: unknown field "prot" (a flow line has src, dst, protocol, port, firstSeen, lastSeen, count)' },
    { title: 'an unknown field of an end', line: '{"src":{"ip":"10.0.0.1","pod_name":"web"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80}', message: 'flows.jsonl, line 1: src.pod_name: unknown field "pod_name" (an end has ip, namespace, pod)' },
    // The line itself is not an object: the line is what is wrong.
    { title: 'a line that is not an object', line: '[1,2]', message: 'flows.jsonl, line 1: Invalid input: expected object, received array' },
  ])('$title', ({ line, message }) => {
    expect(() => load(line)).toThrow(expect.objectContaining({ message }));
  });
});
