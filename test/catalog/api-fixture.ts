// A catalog API over an in-memory PGlite catalog filled with the fixture collections and items.
import { buildCatalogApi } from "../../apps/catalog-api/app.js";
import { createCatalogStore, openPgliteClient } from "../../catalog/index.js";
import { cbofsCollection, cycleItems } from "./fixtures.js";
import type { FastifyInstance } from "fastify";
import type { CatalogStore } from "../../catalog/index.js";

export interface ApiFixture {
  app: FastifyInstance;
  store: CatalogStore;
  close(): Promise<void>;
}

export async function catalogApiFixture(options: { maxLimit?: number } = {}): Promise<ApiFixture> {
  const store = await createCatalogStore(await openPgliteClient());
  await store.upsertCollection(cbofsCollection("cbofs"));
  await store.upsertItems("cbofs", cycleItems("cbofs", 30));
  await store.upsertCollection(cbofsCollection("ngofs2"));
  await store.upsertItems("ngofs2", cycleItems("ngofs2", 5, { bbox: [-97.5, 27.5, -88, 30.8], model: "FVCOM" }));
  const app = await buildCatalogApi({ store, maxLimit: options.maxLimit ?? 50 });
  await app.ready();
  return {
    app,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
