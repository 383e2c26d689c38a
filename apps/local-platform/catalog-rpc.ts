// The embedded catalog (PGlite) lives in one thread, the catalog API's; the operator, in its own
// worker, reaches the same store through a MessagePort. Every CatalogStore method is async and
// takes and returns plain JSON, so the port carries {id, method, args} and answers {id, result} or
// {id, error}; a CatalogInputError (a 400 for the API, a status message for the operator) crosses
// as itself.
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { CatalogInputError, isCatalogInputError, type CatalogStore } from "../../catalog/index.js";

const METHODS = ["upsertCollection", "deleteCollection", "upsertItems", "deleteItems", "getCollection", "listCollections", "getItem", "searchItems"] as const;
type Method = (typeof METHODS)[number];

interface Call {
  id: number;
  method: Method;
  args: unknown[];
}
type Answer = { id: number; result: unknown } | { id: number; error: { message: string; field?: string; input: boolean } };

/** Answers calls arriving on `port` with `store` (the thread that owns the database). */
export function serveCatalogStore(store: CatalogStore, port: MessagePort): void {
  port.on("message", (call: Call) => {
    const answer = (result: Answer) => port.postMessage(result);
    if (!(METHODS as readonly string[]).includes(call.method)) {
      answer({ id: call.id, error: { message: `unknown catalog method ${String(call.method)}`, input: false } });
      return;
    }
    (store[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args).then(
      (result) => answer({ id: call.id, result }),
      (error: unknown) =>
        answer({ id: call.id, error: { message: error instanceof Error ? error.message : String(error), input: isCatalogInputError(error), ...(isCatalogInputError(error) ? { field: error.field } : {}) } }),
    );
  });
}

/** A CatalogStore whose calls run in the thread holding the other end of `port`. */
export function catalogStoreOverPort(port: MessagePort): CatalogStore {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  port.on("message", (answer: Answer) => {
    const call = pending.get(answer.id);
    if (!call) return;
    pending.delete(answer.id);
    if ("result" in answer) call.resolve(answer.result);
    else if (answer.error.input) {
      const field = answer.error.field ?? "catalog";
      const message = answer.error.message.startsWith(`${field}: `) ? answer.error.message.slice(field.length + 2) : answer.error.message;
      call.reject(new CatalogInputError(field, message));
    }
    else call.reject(new Error(`catalog: ${answer.error.message}`));
  });
  const invoke = (method: Method) => (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, method, args } satisfies Call);
    });
  const store = Object.fromEntries(METHODS.map((m) => [m, invoke(m)])) as unknown as CatalogStore;
  return {
    ...store,
    // The owner closes the database; this end only stops listening.
    close: async () => {
      port.close();
    },
  };
}

/**
 * The main thread's link between the operator's catalog client and the catalog's thread, kept
 * across restarts of either (supervisor.ts): each (re)start of a side takes a fresh port
 * (`catalogPort`, `clientPort`) and calls are relayed under ids of the relay's own, so answers
 * meant for an operator that has since restarted are dropped rather than misdelivered. A call in
 * flight when the catalog's thread ends, or made while it is down, is answered with an error: the
 * operator's reconcile fails and is retried with backoff, as against an unreachable database.
 */
export class CatalogRelay {
  private catalog: MessagePort | undefined;
  private readonly clients = new Set<MessagePort>();
  private readonly pending = new Map<number, { client: MessagePort; id: number }>();
  private next = 0;

  /** A port for a (re)started catalog thread to serve on; replaces the previous one. */
  catalogPort(): MessagePort {
    this.dropCatalog();
    const { port1, port2 } = new MessageChannel();
    this.catalog = port2;
    port2.on("message", (answer: Answer) => {
      const call = this.pending.get(answer.id);
      if (!call) return;
      this.pending.delete(answer.id);
      call.client.postMessage({ ...answer, id: call.id });
    });
    // Emitted when the catalog's thread ends (its end of the channel goes with it).
    port2.on("close", () => {
      if (this.catalog === port2) this.dropCatalog();
    });
    return port1;
  }

  /** A port for a (re)started client (the operator) to call the catalog through. */
  clientPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.clients.add(port2);
    port2.on("message", (call: Call) => {
      if (!this.catalog) {
        port2.postMessage(unavailable(call.id));
        return;
      }
      const id = this.next++;
      this.pending.set(id, { client: port2, id: call.id });
      this.catalog.postMessage({ ...call, id });
    });
    port2.on("close", () => {
      this.clients.delete(port2);
      for (const [id, call] of this.pending) if (call.client === port2) this.pending.delete(id);
    });
    return port1;
  }

  close(): void {
    this.dropCatalog();
    for (const client of this.clients) client.close();
    this.clients.clear();
  }

  private dropCatalog(): void {
    const catalog = this.catalog;
    this.catalog = undefined;
    catalog?.close();
    for (const [id, call] of this.pending) {
      this.pending.delete(id);
      call.client.postMessage(unavailable(call.id));
    }
  }
}

const unavailable = (id: number): Answer => ({ id, error: { message: "the catalog's thread is not running (restarting); try again", input: false } });
