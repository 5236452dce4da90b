/**
 * Counting failures per key (a client address, an agency) in a fixed window from the first one: once
 * `allowed` failures fall within `windowMs`, the key waits until the window since its first failure passes.
 * The authentication brake and the brake on senders of compression bombs both count this way. Kept in
 * memory, bounded: past `maxTracked` keys, lapsed entries are dropped (all of them if none has lapsed).
 */
export interface FailureWindow {
  /** Seconds the key must wait (0: it may go on). */
  waitSeconds(key: string, now: number): number;
  /** One more failure for the key. */
  record(key: string, now: number): void;
}

export function createFailureWindow(options: { allowed: number; windowMs: number; maxTracked: number }): FailureWindow {
  const { allowed, windowMs, maxTracked } = options;
  const failures = new Map<string, { count: number; since: number }>();
  return {
    waitSeconds(key, now) {
      const entry = failures.get(key);
      if (!entry || now - entry.since > windowMs) return 0;
      return entry.count >= allowed ? Math.ceil((entry.since + windowMs - now) / 1000) : 0;
    },
    record(key, now) {
      const entry = failures.get(key);
      if (entry && now - entry.since <= windowMs) {
        entry.count++;
        return;
      }
      if (failures.size >= maxTracked) {
        for (const [k, v] of failures) if (now - v.since > windowMs) failures.delete(k);
        if (failures.size >= maxTracked) failures.clear();
      }
      failures.set(key, { count: 1, since: now });
    },
  };
}
