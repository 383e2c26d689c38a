// The controller runtime: small parts with one start/stop shape, after controller-runtime.
export { Controller, specOrMetadataChanged, type InformerPredicate, type Reconciler, type Request, type Result, type ControllerOptions } from "./controller.js";
export { Informer, type InformerEvent, type InformerHandler, type InformerOptions } from "../../kube/informer.js";
export { LeaderElector, type LeaderElectionOptions } from "./leader.js";
export { Manager, shutdownSignal, type ManagerOptions } from "./manager.js";
export { EventRecorder, type EventType } from "./events.js";
export { OperatorMetrics } from "./metrics.js";
export { WorkQueue } from "./workqueue.js";
export { backoffDelay, ItemBackoff, defaultBackoff, type BackoffOptions } from "../../kube/backoff.js";
export { setCondition, getCondition, isReady, sameConditions, type ConditionInput } from "./conditions.js";
export { TerminalError, isTerminalError, httpStatus, isNotFound, isConflict } from "./errors.js";
export { createLogger, logFn, type Logger } from "./log.js";
export { objectKey, splitKey, type KubeObject, type Runnable } from "../../kube/types.js";
export { toClientModel } from "./objects.js";
export { SharedConnectionKubeConfig, withSharedConnections } from "./kubeconfig.js";
export { StatusWriter, sameStatus, canonical, type StatusWriterOptions } from "./status.js";
