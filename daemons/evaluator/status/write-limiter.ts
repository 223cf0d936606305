/**
 * A token bucket bounding the status writes of all policies together, so a thousand policies
 * refreshing at once cannot flood the API server: `perSecond` tokens, refilled continuously.
 */
export interface WriteLimiter {
  /** Takes a token when one is available. */
  tryTake(): boolean;
}

export function createWriteLimiter(perSecond: number, now: () => number = Date.now): WriteLimiter {
  let tokens = perSecond;
  let last = now();
  return {
    tryTake(): boolean {
      const t = now();
      tokens = Math.min(perSecond, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
