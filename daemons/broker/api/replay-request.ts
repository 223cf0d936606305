/**
 * Validation of the body of `POST /v1/replays` (contracts/replay.ts holds its schema): which policy
 * generation to replay, and from when. A bad field gives a 400 naming it (`policy.generation`);
 * `since` must not be in the future, and is moved up to the oldest flow kept.
 */
import type { NewReplay } from '../store/replay-types.js';
import { replayRequestSchema } from '../../../contracts/replay.js';
import { badRequest } from '../../../runtime/http-error.js';
import { parseRfc3339 } from '../../../contracts/rfc3339.js';
import { issueError, type ParseResult } from '../../../contracts/zod-issue.js';

/** Validates a parsed body; `since` must not be in the future, and is moved up to the oldest flow kept. */
export function parseReplayRequest(body: unknown, now: Date, flowsDays: number): ParseResult<NewReplay> {
  const r = replayRequestSchema.safeParse(body);
  if (!r.success) return { ok: false, error: issueError(r.error.issues[0]) };
  const since = parseRfc3339(r.data.since);
  if (since > now.getTime()) return { ok: false, error: badRequest('since', 'since: must not be in the future') };
  const oldest = now.getTime() - flowsDays * 86_400_000;
  return { ok: true, value: { policy: r.data.policy, since: new Date(Math.max(since, oldest)) } };
}
