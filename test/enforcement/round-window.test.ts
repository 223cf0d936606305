// Where a round's verify window starts, against the broker's own report statement: the window it asks for
// must leave out every flow row of the probes before it (filed under the minute of their first
// observation), and start no later than it must.
import { describe, expect, it } from 'vitest';
import { reportSql } from '../../daemons/broker/store/enforcement-checks.js';
import { CLOCK_SLACK_MS, MINUTE_MS, roundWindowStart } from './round-window.js';

const at = (hms: string): number => Date.parse(`2026-12-04T${hms}Z`);
/** The minute the broker files a flow row under: that of its first observation (flow-writes.ts). */
const bucketOf = (t: number): number => t - (t % MINUTE_MS);
/** The first bucket GET /v1/enforcement counts for a window starting at `since` (the statement's $3). */
const firstBucketCounted = (since: number): number =>
  (reportSql({ since: new Date(since), until: new Date(since + MINUTE_MS), limit: 1 }).params[2] as Date).getTime();

describe('roundWindowStart', () => {
  it.each([
    // The case of the whole-corpus run: the round's policies were in place 10 s after the last round's
    // probes, in the same minute; a window from then counted that minute's rows of the round before.
    { title: 'policies in place in the minute the last probes ended: the next minute', previous: '00:10:40', earliest: '00:10:50', start: '00:11:00' },
    { title: 'policies in place in a later minute: at once', previous: '00:10:40', earliest: '00:11:05', start: '00:11:05' },
    { title: 'last probes within the slack of a minute\'s turn: the minute after that one', previous: '00:10:58.500', earliest: '00:11:03', start: '00:12:00' },
    { title: 'last probes at a minute\'s first instant: that minute is theirs', previous: '00:10:00', earliest: '00:10:30', start: '00:11:00' },
    { title: 'nothing probed before: at once', previous: undefined, earliest: '00:10:50', start: '00:10:50' },
  ])('$title', ({ previous, earliest, start }) => {
    const prev = previous === undefined ? undefined : at(previous);
    const got = roundWindowStart(prev, at(earliest));
    expect(new Date(got).toISOString()).toBe(new Date(at(start)).toISOString());
    expect(got).toBeGreaterThanOrEqual(at(earliest));
    // The broker's window leaves out every flow row of the probes before, however late the agent saw them within the slack.
    if (prev !== undefined) expect(firstBucketCounted(got)).toBeGreaterThan(bucketOf(prev + CLOCK_SLACK_MS));
  });
});
