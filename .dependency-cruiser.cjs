// Dependency rules checked by `npm run deps` (part of `npm test`) with dependency-cruiser:
// no import cycles anywhere, and the layering the architecture map describes (docs/architecture.md).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes a module impossible to understand, test or load alone. Move the shared part into a module both import.",
      from: {},
      to: { circular: true },
    },
    {
      name: "libraries-do-not-import-operators",
      severity: "error",
      comment: "operators/ is an application of the libraries (dataplane, catalog, crds, kube, clusters/lib, events) and of the services: none of them may depend on it.",
      from: { path: "^(dataplane|catalog|crds|kube|events|clusters/lib)/" },
      to: { path: "^operators/" },
    },
    {
      name: "apps-do-not-import-operators",
      severity: "error",
      comment: "Services and the CLI do not reach into the operator. The two composition roots that start the operator (dmac operator, dmac up and its in-process platform, whose operator worker is started from local-platform/components.ts) are the exceptions.",
      from: { path: "^apps/", pathNot: "^apps/(cli/commands/(operator|up)\\.ts|local-platform/(index|components)\\.ts)$" },
      to: { path: "^operators/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import resolves (so the two rules above see the whole graph).",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|\\.dist|\\.tools|\\.images|\\.dmac)/" },
    // Type-only imports count: a cycle of types still ties the modules' meaning together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"], exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
