// Server-side printing (meta.k8s.io/v1 Table) for `kubectl get`: Name, the CRD's
// additionalPrinterColumns (or Age), evaluated with the JSONPath subset printer columns use.
import { ownValue } from "../shared/own.js";
import type { ResourceType, ResourceVersion } from "./resource-type.js";
import { isPlainObject } from "./schema.js";
import type { KObject, PrinterColumn } from "./types.js";

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function columns(type: ResourceType, version: ResourceVersion): PrinterColumn[] {
  if (version.printerColumns.length > 0) return version.printerColumns;
  const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "CreationTimestamp is a timestamp representing the server time when this object was created." };
  if (type.group === "" && type.plural === "namespaces") return [{ name: "Status", type: "string", jsonPath: ".status.phase", description: "The status of the namespace" }, age];
  return [age];
}

export function toTable(type: ResourceType, version: ResourceVersion, objects: KObject[], listMeta: Record<string, unknown>, includeObject: string | null, withDefinitions = true): Record<string, unknown> {
  const cols = columns(type, version);
  const definitions: ColumnDefinition[] = [
    { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 },
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? "", priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((o) => ({
    cells: [o.metadata.name ?? "", ...cols.map((c) => cell(o, c))],
    object: includeObject === "None" ? undefined : includeObject === "Object" ? o : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
  }));
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: listMeta, ...(withDefinitions ? { columnDefinitions: definitions } : { columnDefinitions: [] }), rows };
}

function cell(object: KObject, column: PrinterColumn): unknown {
  let values: unknown[];
  try {
    values = evaluate(object, column.jsonPath);
  } catch {
    return "<invalid>";
  }
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return column.type === "date" ? "<unknown>" : null;
  if (column.type === "date") return typeof present[0] === "string" ? humanAge(present[0]) : "<invalid>";
  if (present.length === 1 && (column.type === "integer" || column.type === "number" || column.type === "boolean")) return present[0];
  return present.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(",");
}

/** The JSONPath subset of printer columns: .a.b, [n], [*], [?(@.x=="v")] / != . */
export function evaluate(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\)\]/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  const text = path.trim().replace(/^\{|\}$/g, "");
  while ((m = re.exec(text)) !== null) {
    consumed = re.lastIndex;
    const [, field, index, filterPath, op, dq, sq, bare] = m;
    if (field !== undefined) current = current.map((v) => (isPlainObject(v) ? ownValue(v, field) : undefined));
    else if (index !== undefined) current = current.map((v) => (Array.isArray(v) ? v[Number(index)] : undefined));
    else if (filterPath !== undefined) {
      const expected = dq ?? sq ?? bare ?? "";
      const keys = filterPath.slice(1).split(".");
      current = current.flatMap((v) => (Array.isArray(v) ? v : [])).filter((item) => {
        let x: unknown = item;
        for (const k of keys) x = isPlainObject(x) ? x[k] : undefined;
        return (String(x) === expected) === (op === "==");
      });
    } else current = current.flatMap((v) => (Array.isArray(v) ? v : isPlainObject(v) ? Object.values(v) : []));
  }
  if (consumed !== text.length) throw new Error(`unsupported JSONPath ${path}`);
  return current;
}

/** kubectl's HumanDuration of the time since `timestamp`. */
export function humanAge(timestamp: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
