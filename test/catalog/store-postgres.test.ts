import { afterAll, beforeAll } from "vitest";
import { openPostgresClient } from "../../catalog/index.js";
import { startThrowawayPostgres } from "./postgres-server.js";
import { catalogStoreContract } from "./store-contract.js";
import type { ThrowawayPostgres } from "./postgres-server.js";

let server: ThrowawayPostgres | undefined;
beforeAll(async () => {
  server = await startThrowawayPostgres();
});
afterAll(async () => server?.stop());

catalogStoreContract("PostgreSQL 15 (server)", () => openPostgresClient((server as ThrowawayPostgres).url));
