/**
 * The SSE reader on bodies split at awkward places: events across chunks, CRLF line ends,
 * comments and retry lines, multi-line data. (The real stream is exercised end to end in
 * plugin/commands/verdicts.int.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse.js';

function body(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c): void {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function all(chunks: string[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of readSse(body(chunks))) out.push(ev);
  return out;
}

describe('readSse', () => {
  it.each([
    { what: 'one event', chunks: ['id: 7\nevent: verdict\ndata: {"id":7}\n\n'], events: [{ id: '7', event: 'verdict', data: '{"id":7}' }] },
    { what: 'an event split inside a line', chunks: ['id: 8\nev', 'ent: verdict\ndata: {"i', 'd":8}\n', '\n'], events: [{ id: '8', event: 'verdict', data: '{"id":8}' }] },
    { what: 'CRLF line ends', chunks: ['id: 9\r\nevent: verdict\r\ndata: x\r\n\r\n'], events: [{ id: '9', event: 'verdict', data: 'x' }] },
    { what: 'retry and keep-alive comments give nothing', chunks: ['retry: 1000\n\n: keep-alive\n\n'], events: [] },
    { what: 'multi-line data is joined with newlines', chunks: ['data: a\ndata: b\n\n'], events: [{ id: undefined, event: 'message', data: 'a\nb' }] },
    { what: 'an unterminated last event is dropped', chunks: ['id: 1\nevent: verdict\ndata: x\n\nid: 2\nevent: verdict\ndata: y\n'], events: [{ id: '1', event: 'verdict', data: 'x' }] },
  ])('$what', async ({ chunks, events }) => {
    expect(await all(chunks)).toEqual(events);
  });
});
