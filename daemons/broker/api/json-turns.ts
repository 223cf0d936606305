/**
 * JSON.parse of a large body holds the event loop for its whole duration, and cost grows with
 * the number of values more than with bytes (a body of tiny objects is the slow case). Two
 * measures keep /healthz and every other request answered while big bodies arrive:
 *  - a body with more objects and arrays than the caller allows is refused before parsing, by a
 *    count of `{` and `[` (a native scan, far cheaper than the parse; a bracket inside a string
 *    counts too, which only errs on the safe side);
 *  - parses take turns: one per turn of the event loop (setImmediate), so the requests that
 *    arrived meanwhile are read and answered between any two parses.
 */
import { badRequest, HttpError } from '../../../runtime/http-error.js';

/** Objects and arrays in `text` (upper bound: brackets inside strings count too). */
export function countContainers(text: string, stopAfter: number): number {
  let n = 0;
  for (const ch of ['{', '[']) {
    for (let i = text.indexOf(ch); i !== -1 && n <= stopAfter; i = text.indexOf(ch, i + 1)) n++;
  }
  return n;
}

const turns: (() => void)[] = [];
let running = false;

function runTurn(): void {
  const job = turns.shift();
  if (job === undefined) {
    running = false;
    return;
  }
  job();
  setImmediate(runTurn);
}

/** Resolves `parse()`'s value in a turn of its own. */
function inTurn<T>(parse: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    turns.push(() => {
      try {
        resolve(parse());
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    if (!running) {
      running = true;
      setImmediate(runTurn);
    }
  });
}

/** Parses a JSON body of at most `maxContainers` objects and arrays, in its own turn. */
export async function parseJsonInTurn(text: string, maxContainers: number): Promise<unknown> {
  if (countContainers(text, maxContainers) > maxContainers) {
    throw new HttpError(413, `body holds more than ${maxContainers} JSON objects and arrays`, 'body');
  }
  try {
    return await inTurn(() => JSON.parse(text) as unknown);
  } catch (err) {
    if (err instanceof SyntaxError) throw badRequest('body', 'body is not valid JSON');
    throw err;
  }
}
