// CloudEvents 1.0 structured JSON mode, the wire form of every event on the RabbitMQ bus: one JSON
// object with the attributes and `data`. Encoding and validation go through the `cloudevents` SDK
// so an outside subscriber (any CloudEvents library) reads our messages, and a message that is not
// a valid CloudEvent or not one of our types is refused with the reason.
import { CloudEvent as SdkEvent, ValidationError } from "cloudevents";
import { knownTypes, type CloudEvent, type PlatformEventType } from "./platform-events.js";

export const structuredContentType = "application/cloudevents+json; charset=utf-8";

export class EventDecodeError extends Error {
  override readonly name = "EventDecodeError";
}

export function encodeEvent(event: CloudEvent): Buffer {
  // strict: the SDK validates the attributes (id, source, specversion, type, time format, extension names).
  return Buffer.from(new SdkEvent<Record<string, unknown>>({ ...event }, true).toString());
}

export function decodeEvent(body: Buffer | string): CloudEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
  } catch (error) {
    throw new EventDecodeError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new EventDecodeError("not a JSON object");
  let event: SdkEvent<unknown>;
  try {
    event = new SdkEvent<unknown>(parsed as Record<string, unknown>, true);
  } catch (error) {
    const detail = error instanceof ValidationError ? `${error.message}: ${JSON.stringify(error.errors)}` : (error as Error).message;
    throw new EventDecodeError(`not a valid CloudEvent 1.0: ${detail}`);
  }
  if (!knownTypes.has(event.type)) throw new EventDecodeError(`unknown event type "${event.type}"`);
  if (typeof event.data !== "object" || event.data === null) throw new EventDecodeError("data must be a JSON object");
  const domain = typeof event["domain"] === "string" ? (event["domain"] as string) : undefined;
  return {
    specversion: "1.0",
    id: event.id,
    source: event.source,
    type: event.type as PlatformEventType,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    ...(domain !== undefined ? { domain } : {}),
    time: event.time ?? new Date().toISOString(),
    datacontenttype: "application/json",
    data: event.data as Record<string, unknown>,
  };
}
