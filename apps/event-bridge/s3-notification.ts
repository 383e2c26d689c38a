// The S3 event notifications NOAA's NODD buckets announce new objects with, as our SQS queues receive
// them: an SNS envelope (`Type: Notification`, the S3 event as a JSON string in `Message`), or the S3
// event itself when the subscription uses raw delivery. Keys arrive URL-encoded with `+` for spaces
// (the S3 event format); they are decoded here, once.

export interface S3ObjectRecord {
  readonly eventName: string;
  /** When S3 saw the change (the lag metric's start). */
  readonly eventTime: Date;
  readonly region: string | undefined;
  readonly bucket: string;
  readonly key: string;
  readonly size: number | undefined;
  readonly eTag: string | undefined;
  /** Orders events of one key; equal for duplicates of one event. */
  readonly sequencer: string | undefined;
}

/** Why a message is not an S3 event notification; redelivering it cannot help. */
export class MalformedNotification extends Error {
  override readonly name = "MalformedNotification";
}

export type ParsedNotification = { kind: "records"; records: S3ObjectRecord[] } | { kind: "test-event" };

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedNotification(`${what} is not JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An S3 event key: URL-encoded, with `+` for a space. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    throw new MalformedNotification(`object key "${key}" is not URL-encoded`);
  }
}

function parseRecord(record: unknown, index: number): S3ObjectRecord {
  const where = `Records[${index}]`;
  if (!isObject(record) || !isObject(record["s3"])) throw new MalformedNotification(`${where}.s3 is missing`);
  const s3 = record["s3"];
  const bucket = isObject(s3["bucket"]) ? s3["bucket"]["name"] : undefined;
  const object = isObject(s3["object"]) ? s3["object"] : undefined;
  if (typeof bucket !== "string" || bucket === "") throw new MalformedNotification(`${where}.s3.bucket.name is missing`);
  if (!object || typeof object["key"] !== "string" || object["key"] === "") throw new MalformedNotification(`${where}.s3.object.key is missing`);
  const eventName = typeof record["eventName"] === "string" ? record["eventName"] : "";
  const eventTime = typeof record["eventTime"] === "string" ? new Date(record["eventTime"]) : new Date(Number.NaN);
  if (Number.isNaN(eventTime.getTime())) throw new MalformedNotification(`${where}.eventTime is missing or not a time`);
  return {
    eventName,
    eventTime,
    region: typeof record["awsRegion"] === "string" ? record["awsRegion"] : undefined,
    bucket,
    key: decodeS3Key(object["key"]),
    size: typeof object["size"] === "number" ? object["size"] : undefined,
    eTag: typeof object["eTag"] === "string" ? object["eTag"].replaceAll('"', "") : undefined,
    sequencer: typeof object["sequencer"] === "string" ? object["sequencer"] : undefined,
  };
}

/** Parses one SQS message body; throws MalformedNotification with the reason. */
export function parseNotification(body: string | undefined): ParsedNotification {
  if (body === undefined || body === "") throw new MalformedNotification("empty message body");
  let event = parseJson(body, "message body");
  if (isObject(event) && event["Type"] === "Notification") {
    if (typeof event["Message"] !== "string") throw new MalformedNotification("SNS notification without a Message");
    event = parseJson(event["Message"], "the SNS Message");
  }
  if (!isObject(event)) throw new MalformedNotification("not a JSON object");
  // S3 sends one when a notification configuration is set up; it announces nothing.
  if (event["Event"] === "s3:TestEvent") return { kind: "test-event" };
  const records = event["Records"];
  if (!Array.isArray(records)) throw new MalformedNotification("no Records array (not an S3 event notification)");
  if (records.length === 0) throw new MalformedNotification("Records is empty");
  return { kind: "records", records: records.map(parseRecord) };
}
