/**
 * Where an enforced round's verify window starts. The broker files a flow row's enforcement checks under
 * the row's bucket, the minute of its first observation, and a report over [since, until) counts the rows
 * of every bucket from since's minute on (`reportSql`, daemons/broker/store/enforcement-checks.ts). So a
 * window that starts inside the minute the previous round's probes ended in also counts that round's flow
 * rows, under the previous round's policies, and every round probes the same pairs, so a flow row of that
 * minute may hold both rounds' observations. A window that starts in a later minute than every probe
 * before it holds the round's own rows alone; the round's probes wait for that minute.
 */

export const MINUTE_MS = 60_000;

/**
 * Slack between the test's clock and the agent's times of the last probes (kernel times turned into wall
 * time, and the last packets of a probe after the prober returned), so a probe ending just before a minute
 * turns is not filed under the next one.
 */
export const CLOCK_SLACK_MS = 2_000;

/**
 * The start of a round's window: `earliest` (the round's policies are in place, nothing probed yet), moved
 * on to the first minute after the minute the last probes before it (ending at `previousProbesEnd`, plus
 * the slack) were seen in. The round's probes must not start before it.
 */
export function roundWindowStart(previousProbesEnd: number | undefined, earliest: number): number {
  if (previousProbesEnd === undefined) return earliest;
  const nextMinute = (Math.floor((previousProbesEnd + CLOCK_SLACK_MS) / MINUTE_MS) + 1) * MINUTE_MS;
  return Math.max(earliest, nextMinute);
}
