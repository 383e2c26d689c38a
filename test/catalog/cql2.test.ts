// CQL2-text parses to the same tree as the equivalent CQL2-JSON; bad filters fail with a message.
import { describe, expect, it } from "vitest";
import { Cql2Error, parseCql2Json, parseCql2Text } from "../../catalog/index.js";

describe("CQL2 text and JSON", () => {
  it.each([
    [`a = 1 OR b = 2 AND NOT c = 3`, { op: "or", args: [{ op: "=", args: [{ property: "a" }, 1] }, { op: "and", args: [{ op: "=", args: [{ property: "b" }, 2] }, { op: "not", args: [{ op: "=", args: [{ property: "c" }, 3] }] }] }] }],
    [`(a = 1 OR b = 2) AND c <> 'it''s'`, { op: "and", args: [{ op: "or", args: [{ op: "=", args: [{ property: "a" }, 1] }, { op: "=", args: [{ property: "b" }, 2] }] }, { op: "<>", args: [{ property: "c" }, "it's"] }] }],
    [`"eo:cloud_cover" BETWEEN -1.5 AND 2e1`, { op: "between", args: [{ property: "eo:cloud_cover" }, -1.5, 20] }],
    [`id NOT IN ('a', 'b')`, { op: "not", args: [{ op: "in", args: [{ property: "id" }, ["a", "b"]] }] }],
    [`name not like 'x%'`, { op: "not", args: [{ op: "like", args: [{ property: "name" }, "x%"] }] }],
    [`x IS NOT NULL`, { op: "not", args: [{ op: "isNull", args: [{ property: "x" }] }] }],
    [`flag = TRUE AND TRUE`, { op: "and", args: [{ op: "=", args: [{ property: "flag" }, true] }, true] }],
    [`datetime >= TIMESTAMP('2026-11-01T00:00:00Z')`, { op: ">=", args: [{ property: "datetime" }, { timestamp: "2026-11-01T00:00:00Z" }] }],
    [`s_intersects(geometry, POINT(1 2))`, { op: "s_intersects", args: [{ property: "geometry" }, { type: "Point", coordinates: [1, 2] }] }],
    [`S_INTERSECTS(geometry, MULTIPOINT((1 2), 3 4))`, { op: "s_intersects", args: [{ property: "geometry" }, { type: "MultiPoint", coordinates: [[1, 2], [3, 4]] }] }],
    [`T_INTERSECTS(datetime, INTERVAL('2026-01-01', '..'))`, { op: "t_intersects", args: [{ property: "datetime" }, { interval: ["2026-01-01", ".."] }] }],
  ])("%s", (text, json) => {
    expect(parseCql2Text(text)).toEqual(json);
    expect(parseCql2Json(json)).toEqual(json);
  });

  it.each([
    [`a =`, /end of filter/],
    [`a = 'open`, /unterminated string/],
    [`a ~ 1`, /unexpected character '~'/],
    [`S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))`, /ring/],
    [`upper(a) = 'X'`, /unsupported function upper/],
    [`a = 1 b`, /unexpected 'b'/],
    ["(".repeat(100) + "a = 1" + ")".repeat(100), /nested deeper/],
    [`a IN (${Array.from({ length: 1002 }, (_, i) => i).join(",")})`, /longer than 1000/],
  ])("rejects %s", (text, message) => {
    expect(() => parseCql2Text(text)).toThrow(Cql2Error);
    expect(() => parseCql2Text(text)).toThrow(message);
  });

  it.each([
    [{ op: "=", args: [{ property: "a" }] }, /takes 2 arguments/],
    [{ op: "and", args: [true] }, /at least 2/],
    [{ op: "=", args: [{ property: "a; drop table" }, 1] }, /not a valid property name/],
    [{ op: "s_intersects", args: [{ property: "geometry" }, { type: "Polygon", coordinates: [[[0, 0], [1, 0], [0, 0]]] }] }, /at least 4/],
    [{ op: "=", args: [{ property: "a" }, NaN] }, /finite/],
    [[1, 2], /boolean expression/],
  ])("rejects JSON %j", (json, message) => {
    expect(() => parseCql2Json(json)).toThrow(message);
  });
});
