import { openPgliteClient } from "../../catalog/index.js";
import { catalogStoreContract } from "./store-contract.js";

catalogStoreContract("PGlite (embedded)", () => openPgliteClient());
