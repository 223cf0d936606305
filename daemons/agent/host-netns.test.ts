import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostNetnsInode } from './host-netns.js';

describe('hostNetnsInode', () => {
  it('is the inode named by the /proc/self/ns/net link (net:[N]), never 0 where /proc exists', () => {
    const named = Number(/^net:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/net'))?.[1]);
    expect(named).toBeGreaterThan(0);
    expect(hostNetnsInode()).toBe(named);
  });

  it('is 0 when the namespace cannot be read', () => {
    expect(hostNetnsInode('/nonexistent/ns/net')).toBe(0);
  });
});
