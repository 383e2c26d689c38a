// Pulumi entry point (Pulumi.yaml `main`). The exported names are the stack outputs; the first five are
// the contract of clusters/config/stack-outputs.ts that `npm run infra:outputs` copies into Git.
import { runProgram } from "./program.js";
import { loadStackConfig } from "./stack-config.js";

const out = runProgram(loadStackConfig());

export const region = out.region;
export const dataBucket = out.dataBucket;
export const queueUrls = out.queueUrls;
export const roleArns = out.roleArns;
export const catalogDatabase = out.catalogDatabase;
export const clusterName = out.clusterName;
export const kubeconfig = out.kubeconfig;
export const nebariConfig = out.nebariConfig;
export const nebariUserRoleArn = out.nebariUserRoleArn;
export const certificates = out.certificates;
