// Reads a Kubernetes watch stream (one JSON event per line) until the server ends it.
import http from "node:http";
import https from "node:https";
import type { Target } from "./harness.js";

export interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

export async function watchLines(target: Target, path: string, onEvent?: (event: WatchEvent) => void, signal?: AbortSignal): Promise<WatchEvent[]> {
  const options: https.RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
  await target.kubeconfig.applyToHTTPSOptions(options);
  const url = new URL(path, target.server);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const req = transport.request(url, { ...options, ...(signal ? { signal } : {}) }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) !== -1) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent;
          events.push(event);
          onEvent?.(event);
        }
      });
      res.on("end", () => resolve(events));
      res.on("error", reject);
      res.on("close", () => resolve(events));
    });
    req.on("error", (err) => (signal?.aborted ? resolve(events) : reject(err)));
    req.end();
  });
}
