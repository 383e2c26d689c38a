// The benchmark's watchers, in their own process so the load generator's work does not delay
// them: opens N watch streams and, when told to stop, reports when each event arrived
// (epoch milliseconds, comparable with the parent's clock).
import http from "node:http";

const [base, path, countText, token] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
const arrivals: Array<Record<string, number>> = Array.from({ length: count }, () => ({}));
const now = () => performance.timeOrigin + performance.now();
let open = 0;
const requests = Array.from({ length: count }, (_, w) =>
  http.get(new URL(path, base), { headers: { Authorization: `Bearer ${token}` } }, (res) => {
    open += 1;
    if (open === count) process.send!({ ready: true });
    let buffer = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      const t = now();
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const name = /"name":"(w-\d+)"/.exec(line)?.[1];
        if (name) arrivals[w]![name] = t;
      }
    });
  }),
);
process.on("message", (message: { stop?: boolean; expect?: number }) => {
  if (message.stop) {
    for (const r of requests) r.destroy();
    process.send!({ arrivals }, () => process.exit(0));
  } else if (message.expect !== undefined) {
    const target = message.expect;
    const poll = setInterval(() => {
      if (arrivals.every((a) => Object.keys(a).length >= target)) {
        clearInterval(poll);
        process.send!({ complete: true });
      }
    }, 10);
  }
});
