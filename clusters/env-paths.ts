// Where an environment's rendered tree lies. Its own module, free of cdk8s, because `dmac up`
// reads the tree (apply-plan.ts) and need not load the renderer to find it.

/** Repository-relative folders of an environment's rendered tree. */
export function envPaths(env: string): { root: string; apps: string; bootstrap: string; components: string; domains: string } {
  const root = `clusters/${env}`;
  return { root, apps: `${root}/apps`, bootstrap: `${root}/bootstrap`, components: `${root}/components`, domains: `${root}/domains` };
}
