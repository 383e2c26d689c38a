import { afterAll, beforeAll, expect, it } from "vitest";
import { createCatalogStore, openPostgresClient } from "../../catalog/index.js";
import { startThrowawayPostgres } from "./postgres-server.js";
import { catalogStoreContract } from "./store-contract.js";
import type { ThrowawayPostgres } from "./postgres-server.js";

let server: ThrowawayPostgres | undefined;
beforeAll(async () => {
  server = await startThrowawayPostgres();
});
afterAll(async () => server?.stop());

catalogStoreContract("PostgreSQL 15 (server)", () => openPostgresClient((server as ThrowawayPostgres).url));

it("sets up the schema safely when several replicas start at once", async () => {
  const url = (server as ThrowawayPostgres).url.replace(/\/postgres$/, "/replicas");
  const admin = await openPostgresClient((server as ThrowawayPostgres).url);
  await admin.query("CREATE DATABASE replicas");
  await admin.close();
  const stores = await Promise.all(Array.from({ length: 4 }, async () => createCatalogStore(await openPostgresClient(url, { maxConnections: 2 }))));
  expect((await stores[0]?.listCollections({ limit: 1, offset: 0 }))?.records).toEqual([]);
  await Promise.all(stores.map((s) => s.close()));
});
