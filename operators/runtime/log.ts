// Structured JSON logs (pino): one line per event, fields rather than prose, so they can be queried.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(component: string, level = process.env.DMAC_LOG_LEVEL ?? "info", destination?: NodeJS.WritableStream): Logger {
  return pino({ name: component, level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime }, destination as never);
}

/** Adapter for runtime parts that take a plain (level, message, fields) callback. */
export function logFn(logger: Logger) {
  return (level: "info" | "warn", message: string, fields: Record<string, unknown> = {}) => logger[level](fields, message);
}
