// V8 heap sizing for the operator process. Node sizes its heap from the host's memory, not the
// container's: on a large node V8 lets garbage grow for hundreds of MB before a full collection,
// although the operator's live heap is about 60 MB with thousands of objects cached
// (bench/reconcile). Sizing the old generation to the pod's memory request keeps the process near
// what the scheduler reserved; small semi-spaces keep the young generation from holding 48 MB of
// short-lived request garbage. Ingest buffers are ArrayBuffers outside this heap; the memory limit
// is their headroom. Both flags are allowed in NODE_OPTIONS, which is how the Deployment sets them.
import type { ContainerSizing } from "../clusters/environments.js";

export function operatorNodeOptions(sizing: ContainerSizing): string {
  return `--max-old-space-size=${Math.max(96, sizing.memoryMiB.request)} --max-semi-space-size=4`;
}
