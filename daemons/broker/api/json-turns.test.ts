/** Parsing big bodies: refused by their count of containers before parsing, and parsed one per event-loop turn. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countContainers, parseJsonInTurn } from './json-turns.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('countContainers', () => {
  it.each([
    { text: '1', n: 0 },
    { text: '{}', n: 1 },
    { text: '[{},[],{"a":[1]}]', n: 5 },
    { text: '"{["', n: 2 }, // brackets inside strings count too: an upper bound
  ])('counts $n in $text', ({ text, n }) => {
    expect(countContainers(text, 100)).toBe(n);
  });

  it('stops soon after the limit', () => {
    expect(countContainers('{}'.repeat(1000), 10)).toBeLessThan(1000);
  });
});

describe('parseJsonInTurn', () => {
  it('parses JSON and names the body when it is not JSON', async () => {
    await expect(parseJsonInTurn('{"a":[1,2]}', 10)).resolves.toEqual({ a: [1, 2] });
    await expect(parseJsonInTurn('{"a":', 10)).rejects.toMatchObject({ status: 400, field: 'body' });
  });

  it('refuses a body of more containers than allowed without parsing it', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    await expect(parseJsonInTurn(`[${'{},'.repeat(1000)}{}]`, 500)).rejects.toMatchObject({ status: 413, field: 'body' });
    expect(parse).not.toHaveBeenCalled();
  });

  it('gives the event loop a turn between two parses', async () => {
    // Four big bodies arrive together and a timer is due: it must not wait for all four parses.
    const big = `[${'{"a":[1]},'.repeat(100_000)}{}]`;
    const order: string[] = [];
    const timer = new Promise<void>((resolve) => {
      setTimeout(() => {
        order.push('timer');
        resolve();
      }, 0);
    });
    const parses = [1, 2, 3, 4].map((i) => parseJsonInTurn(big, 300_000).then(() => order.push(`parse ${i}`)));
    await Promise.all([timer, ...parses]);
    expect(order.indexOf('timer')).toBeLessThanOrEqual(1);
    expect(order.filter((o) => o.startsWith('parse'))).toEqual(['parse 1', 'parse 2', 'parse 3', 'parse 4']);
  });
});
