import { parse } from "@marcbachmann/cel-js";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { crdFiles, customResourceDefinitions, kinds } from "../../crds/index.js";
import { validateStructural } from "../../crds/validation/index.js";
import type { SchemaNode } from "../../crds/validation/index.js";

type Crd = (typeof customResourceDefinitions)[number] & {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
    versions: { name: string; served: boolean; storage: boolean; subresources: { status?: object }; additionalPrinterColumns: { name: string; jsonPath: string }[]; schema: { openAPIV3Schema: SchemaNode } }[];
  };
};
const crds = customResourceDefinitions as unknown as Crd[];

function walk(node: SchemaNode, path: string, visit: (node: SchemaNode, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (typeof node.additionalProperties === "object") walk(node.additionalProperties, `${path}{}`, visit);
}

describe("generated CRDs", () => {
  it("has one CRD per kind in group dmac.ioos.us, v1alpha1, namespaced, with status subresource and category dmac", () => {
    expect(crds.map((c) => c.spec.names.kind)).toEqual(["IngestJob", "Dataset", "CatalogEntry"]);
    for (const crd of crds) {
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.dmac.ioos.us`);
      expect(crd.spec.scope).toBe("Namespaced");
      expect(crd.spec.names.categories).toEqual(["dmac"]);
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
      const [version] = crd.spec.versions;
      expect(crd.spec.versions).toHaveLength(1);
      expect(version?.name).toBe("v1alpha1");
      expect(version?.served && version.storage).toBe(true);
      expect(version?.subresources.status).toEqual({});
      const columns = version?.additionalPrinterColumns.map((c) => c.name) ?? [];
      expect(columns).toContain("Ready");
      expect(columns.at(-1)).toBe("Age");
    }
  });

  it("short names do not clash with built-in kinds kubectl users type", () => {
    const builtin = ["ds", "deploy", "svc", "cm", "ns", "po", "pv", "pvc", "sa", "ing", "netpol", "ev", "ep", "rs", "sts", "hpa", "crd", "pc", "sc", "no", "cs", "limits", "quota", "rc", "csr", "pdb"];
    for (const crd of crds) for (const short of crd.spec.names.shortNames) expect(builtin).not.toContain(short);
  });

  it("schemas are structural: typed nodes, no anyOf/oneOf/patternProperties, properties xor additionalProperties", () => {
    for (const crd of crds) {
      walk(crd.spec.versions[0]!.schema.openAPIV3Schema, crd.spec.names.kind, (node, path) => {
        const raw = node as Record<string, unknown>;
        expect(raw.type ?? (raw["x-kubernetes-int-or-string"] ? "int-or-string" : undefined), `${path} has a type`).toBeDefined();
        for (const forbidden of ["anyOf", "oneOf", "allOf", "not", "patternProperties", "$ref", "const"]) expect(raw[forbidden], `${path}.${forbidden}`).toBeUndefined();
        expect(node.properties !== undefined && node.additionalProperties !== undefined, `${path}: properties with additionalProperties`).toBe(false);
        if (node.required) for (const name of node.required) expect(node.properties?.[name], `${path} requires undeclared ${name}`).toBeDefined();
        // OpenAPI 3.0, not JSON Schema 2019: kube-apiserver rejects numeric exclusive bounds.
        for (const bound of ["exclusiveMinimum", "exclusiveMaximum"]) if (raw[bound] !== undefined) expect(typeof raw[bound], `${path}.${bound}`).toBe("boolean");
      });
    }
  });

  it("every default validates against its own schema, and fields with defaults are not required", () => {
    let defaults = 0;
    for (const crd of crds) {
      walk(crd.spec.versions[0]!.schema.openAPIV3Schema, crd.spec.names.kind, (node, path) => {
        for (const [name, child] of Object.entries(node.properties ?? {})) {
          if (child.default !== undefined) expect(node.required ?? [], `${path}.${name} has a default`).not.toContain(name);
        }
        if (node.default === undefined) return;
        defaults += 1;
        expect(validateStructural(node, node.default, { reportUnknownFields: true }), `default of ${path}`).toEqual([]);
      });
    }
    expect(defaults).toBeGreaterThan(10);
  });

  it("every CEL rule compiles and every status follows the API conventions", () => {
    for (const crd of crds) {
      const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
      walk(root, crd.spec.names.kind, (node) => {
        for (const rule of node["x-kubernetes-validations"] ?? []) {
          expect(() => parse(rule.rule), rule.rule).not.toThrow();
          expect(rule.message, rule.rule).toBeTruthy();
        }
      });
      const status = root.properties?.status;
      expect(status?.properties?.observedGeneration?.type).toBe("integer");
      const conditions = status?.properties?.conditions;
      expect(conditions?.["x-kubernetes-list-type"]).toBe("map");
      expect(conditions?.["x-kubernetes-list-map-keys"]).toEqual(["type"]);
      expect(conditions?.items?.required).toEqual(["type", "status", "reason", "message", "lastTransitionTime"]);
      expect(Object.keys(conditions?.items?.properties ?? {})).toEqual(["type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"]);
      expect(conditions?.items?.properties?.status?.enum).toEqual(["True", "False", "Unknown"]);
    }
  });

  it("committed YAML under crds/bases is exactly what the API renders", () => {
    expect(crdFiles().map((f) => f.path)).toEqual(kinds.map((k) => `crds/bases/dmac.ioos.us_${k.plural}.yaml`));
    for (const [index, file] of crdFiles().entries()) {
      const committed = readFileSync(new URL(`../../${file.path}`, import.meta.url), "utf8");
      expect(committed, `${file.path} is stale: run npm run synth`).toBe(file.text);
      expect(committed.startsWith("# Generated by")).toBe(true);
      expect(parseYaml(committed)).toEqual(JSON.parse(JSON.stringify(customResourceDefinitions[index])));
    }
  });
});
