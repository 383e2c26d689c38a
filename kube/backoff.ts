// Per-item exponential backoff with jitter, bounded. Pure: the clock and randomness are injected.

export interface BackoffOptions {
  /** First delay, in ms. */
  readonly baseMs: number;
  /** Upper bound of any delay, in ms. */
  readonly maxMs: number;
  /** Fraction of the delay randomised, 0..1: 0.2 gives delay * [0.8, 1.2]. */
  readonly jitter: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 200, maxMs: 5 * 60_000, jitter: 0.2 };

/** Delay before retry number `failures` (1 = first retry), with jitter drawn from `random()`. */
export function backoffDelay(failures: number, options: BackoffOptions = defaultBackoff, random: () => number = Math.random): number {
  const exponent = Math.max(0, failures - 1);
  // Cap the exponent first so 2**n cannot overflow to Infinity for items that fail for days.
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 40));
  const spread = raw * options.jitter;
  const jittered = raw - spread + 2 * spread * random();
  return Math.max(0, Math.min(options.maxMs, Math.round(jittered)));
}

/** Remembers failures per key so delays grow until the key succeeds (forget) once. */
export class ItemBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(private readonly options: BackoffOptions = defaultBackoff, private readonly random: () => number = Math.random) {}

  /** Records a failure and returns how long to wait before retrying. */
  next(key: K): number {
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    return backoffDelay(count, this.options, this.random);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
