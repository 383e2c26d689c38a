// A bounded set of recently seen ids: what makes consumers idempotent under at-least-once delivery
// (a redelivered message, a republished outbox entry, a notification SQS delivered twice) without
// growing with the stream. Insertion-ordered, so the oldest id is dropped first.
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }

  get size(): number {
    return this.ids.size;
  }
}
