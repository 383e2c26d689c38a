// The I/O edge of configuration: reads the `dmac:*` and `aws:region` keys of the running stack and
// hands them to the pure parser.
import * as pulumi from "@pulumi/pulumi";
import { configKeys, parseStackConfig, type StackConfig } from "./config.js";

export function loadStackConfig(): StackConfig {
  const dmac = new pulumi.Config("dmac");
  const raw: Record<string, unknown> = {};
  for (const key of configKeys) {
    const value = dmac.get(key);
    if (value !== undefined) raw[key] = value;
  }
  const region = new pulumi.Config("aws").require("region");
  return parseStackConfig(raw, pulumi.getStack(), region);
}
