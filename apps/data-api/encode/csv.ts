// CSV, one row per value: parameter, datetime, x, y, z, value (RFC 4180; missing values empty).
import type { QueryResult } from "../query/result.js";
import { isoTime, shortest } from "./numbers.js";

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(result: QueryResult): string {
  const lines = ["parameter,datetime,x,y,z,value"];
  for (const g of result.groups)
    for (const p of g.parameters) {
      const f32 = p.info.float32;
      g.times.forEach((t, ti) => {
        const time = isoTime(t);
        g.stations.forEach((s, si) => {
          const v = p.values[ti * g.stations.length + si] ?? NaN;
          lines.push([field(p.info.name), time, String(s.lon), String(s.lat), s.z === undefined ? "" : String(s.z), Number.isNaN(v) ? "" : String(shortest(v, f32))].join(","));
        });
      });
    }
  return `${lines.join("\r\n")}\r\n`;
}
