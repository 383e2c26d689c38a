#!/usr/bin/env node
// The published entry point. A compiled build (npm run build) starts in milliseconds;
// from a source checkout we fall back to tsx so `npx dmac` works without a build step.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "apps", "cli", "main.js");
if (existsSync(compiled) && !process.env.DMAC_FROM_SOURCE) {
  await import(pathToFileURL(compiled).href);
} else {
  const { tsImport } = await import("tsx/esm/api");
  await tsImport(pathToFileURL(join(root, "apps", "cli", "main.ts")).href, import.meta.url);
}
