// Polling for integration tests: wait until a check returns something truthy, or fail naming what
// was awaited. One helper for every suite that watches a controller or a process converge.

export type Check<T> = () => T | undefined | false | null | Promise<T | undefined | false | null>;

export interface UntilOptions {
  /** Give up after this long (default 150 s: a loaded two-core CI machine is slow). */
  readonly timeoutMs?: number;
  /** Time between checks (default 100 ms). */
  readonly intervalMs?: number;
}

/** Resolves to the check's first truthy value; rejects with "timed out waiting for <what>". */
export async function until<T>(what: string, check: Check<T>, timeoutMs?: number, options: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + (timeoutMs ?? options.timeoutMs ?? 150_000);
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** `until` with a suite's own defaults (a longer timeout for a whole platform, a shorter poll). */
export function waiter(defaults: UntilOptions): <T>(what: string, check: Check<T>, timeoutMs?: number) => Promise<T> {
  return (what, check, timeoutMs) => until(what, check, timeoutMs, defaults);
}
