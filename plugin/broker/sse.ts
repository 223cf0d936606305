/**
 * Reads server-sent events from a fetch body: yields each event with its id, name and data.
 * Comments (`: keep-alive`) and `retry:` lines give no event. Per the SSE format, lines end with
 * \n, \r\n or \r, and an event ends at a blank line.
 */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else continue;
    any = true;
  }
  return any && data.length > 0 ? { id, event, data: data.join('\n') } : undefined;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let end = buf.indexOf('\n\n');
    while (end >= 0) {
      const ev = parseBlock(buf.slice(0, end));
      buf = buf.slice(end + 2);
      if (ev) yield ev;
      end = buf.indexOf('\n\n');
    }
  }
}
