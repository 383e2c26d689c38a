// The embedded catalog (PGlite) lives in one thread, the catalog API's; the operator, in its own
// worker, reaches the same store through a MessagePort. Every CatalogStore method is async and
// takes and returns plain JSON, so the port carries {id, method, args} and answers {id, result} or
// {id, error}; a CatalogInputError (a 400 for the API, a status message for the operator) crosses
// as itself.
import type { MessagePort } from "node:worker_threads";
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
