// Decoding of Kubernetes protobuf request bodies for the few built-in kinds kubectl's typed
// generators send that way (`kubectl create namespace|configmap|secret|serviceaccount`, and the
// reviews and TokenRequest of `kubectl auth can-i|whoami` and `kubectl create token`).
// A hand-written reader of the protobuf wire format with the field numbers of
// k8s.io/api/core/v1 and apimachinery meta/v1 generated.proto: pulling in a protobuf runtime and
// the full Kubernetes .proto set would dwarf the three messages we need. Other kinds are 415.
import { ownValue } from "../shared/own.js";
import { ApiError, errors } from "./errors.js";
import { metaTime } from "./serialize.js";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Field = { no: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw errors.badRequest("protobuf: truncated varint");
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw errors.badRequest("protobuf: varint too long");
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, pos);
      out.push({ no, wire, value });
      pos = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, pos);
      const end = after + Number(length);
      if (end > buf.length) throw errors.badRequest("protobuf: truncated field");
      out.push({ no, wire, value: buf.subarray(after, end) });
      pos = end;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw errors.badRequest(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (f: Field): Buffer => (Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));
const str = (f: Field): string => bytesOf(f).toString("utf8");
const num = (f: Field): number => Number(typeof f.value === "bigint" ? BigInt.asIntN(64, f.value) : 0n);

function map(list: Field[], no: number, value: (f: Field) => string): Record<string, string> | undefined {
  const entries = list.filter((f) => f.no === no);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const kv = fields(bytesOf(entry));
    const k = kv.find((f) => f.no === 1);
    const v = kv.find((f) => f.no === 2);
    out[k ? str(k) : ""] = v ? value(v) : "";
  }
  return out;
}

function time(f: Field): string {
  const parts = fields(bytesOf(f));
  const seconds = parts.find((p) => p.no === 1);
  return metaTime(new Date((seconds ? num(seconds) : 0) * 1000));
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const list = fields(buf);
  const meta: Record<string, unknown> = {};
  const strings: Record<number, string> = { 1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion" };
  for (const f of list) {
    const name = strings[f.no];
    if (name) meta[name] = str(f);
    else if (f.no === 7) meta.generation = num(f);
    else if (f.no === 8) meta.creationTimestamp = time(f);
    else if (f.no === 10) meta.deletionGracePeriodSeconds = num(f);
  }
  const labels = map(list, 11, str);
  if (labels) meta.labels = labels;
  const annotations = map(list, 12, str);
  if (annotations) meta.annotations = annotations;
  const finalizers = list.filter((f) => f.no === 14).map(str);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  const owners = list.filter((f) => f.no === 13).map((f) => {
    const o = fields(bytesOf(f));
    const ref: Record<string, unknown> = {};
    for (const p of o) {
      if (p.no === 1) ref.kind = str(p);
      else if (p.no === 3) ref.name = str(p);
      else if (p.no === 4) ref.uid = str(p);
      else if (p.no === 5) ref.apiVersion = str(p);
      else if (p.no === 6) ref.controller = num(p) !== 0;
      else if (p.no === 7) ref.blockOwnerDeletion = num(p) !== 0;
    }
    return ref;
  });
  if (owners.length > 0) meta.ownerReferences = owners;
  return meta;
}

const base64 = (f: Field): string => bytesOf(f).toString("base64");

function strings(list: Field[], names: Record<number, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of list) if (names[f.no]) out[names[f.no]!] = str(f);
  return out;
}

function nested(list: Field[], no: number, decode: (inner: Field[]) => Record<string, unknown>): Record<string, unknown> | undefined {
  const f = list.find((x) => x.no === no);
  return f ? decode(fields(bytesOf(f))) : undefined;
}

// k8s.io/api/authorization/v1 ResourceAttributes and NonResourceAttributes.
const resourceAttributes = (list: Field[]) => strings(list, { 1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name" });
const nonResourceAttributes = (list: Field[]) => strings(list, { 1: "path", 2: "verb" });

function accessReviewSpec(list: Field[]): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  const resource = nested(list, 1, resourceAttributes);
  if (resource) spec.resourceAttributes = resource;
  const nonResource = nested(list, 2, nonResourceAttributes);
  if (nonResource) spec.nonResourceAttributes = nonResource;
  return spec;
}

/** Group-versioned kinds decoded beside core/v1's, keyed "group/version Kind" (spec is field 2 in each). */
const groupDecoders: Record<string, (spec: Field[]) => Record<string, unknown>> = {
  "authorization.k8s.io/v1 SelfSubjectAccessReview": accessReviewSpec,
  "authorization.k8s.io/v1 SubjectAccessReview": (list) => ({
    ...accessReviewSpec(list),
    ...strings(list, { 3: "user", 6: "uid" }),
    groups: list.filter((f) => f.no === 4).map(str),
  }),
  "authorization.k8s.io/v1 SelfSubjectRulesReview": (list) => strings(list, { 1: "namespace" }),
  "authentication.k8s.io/v1 SelfSubjectReview": () => ({}),
  "authentication.k8s.io/v1 TokenReview": (list) => ({ ...strings(list, { 1: "token" }), audiences: list.filter((f) => f.no === 2).map(str) }),
  "authentication.k8s.io/v1 TokenRequest": (list) => {
    const spec: Record<string, unknown> = { audiences: list.filter((f) => f.no === 1).map(str) };
    const expiration = list.find((f) => f.no === 4);
    if (expiration) spec.expirationSeconds = num(expiration);
    const bound = nested(list, 3, (inner) => strings(inner, { 1: "kind", 2: "apiVersion", 3: "name", 4: "uid" }));
    if (bound) spec.boundObjectRef = bound;
    return spec;
  },
};

const decoders: Record<string, (list: Field[]) => Record<string, unknown>> = {
  ConfigMap: (list) => {
    const out: Record<string, unknown> = {};
    const data = map(list, 2, str);
    if (data) out.data = data;
    const binary = map(list, 3, base64);
    if (binary) out.binaryData = binary;
    const immutable = list.find((f) => f.no === 4);
    if (immutable) out.immutable = num(immutable) !== 0;
    return out;
  },
  Secret: (list) => {
    const out: Record<string, unknown> = {};
    const data = map(list, 2, base64);
    if (data) out.data = data;
    const type = list.find((f) => f.no === 3);
    if (type) out.type = str(type);
    const stringData = map(list, 4, str);
    if (stringData) out.stringData = stringData;
    const immutable = list.find((f) => f.no === 5);
    if (immutable) out.immutable = num(immutable) !== 0;
    return out;
  },
  Namespace: (list) => {
    const spec = list.find((f) => f.no === 2);
    const finalizers = spec ? fields(bytesOf(spec)).filter((f) => f.no === 1).map(str) : [];
    return finalizers.length > 0 ? { spec: { finalizers } } : {};
  },
  ServiceAccount: (list) => {
    const automount = list.find((f) => f.no === 3);
    return automount ? { automountServiceAccountToken: num(automount) !== 0 } : {};
  },
};

/** Decodes a `application/vnd.kubernetes.protobuf` body into the JSON object it encodes. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest("protobuf: the body does not start with the Kubernetes protobuf magic number");
  const unknown = fields(body.subarray(4));
  const typeMeta = unknown.find((f) => f.no === 1);
  const raw = unknown.find((f) => f.no === 2);
  const tm = typeMeta ? fields(bytesOf(typeMeta)) : [];
  const apiVersion = tm.find((f) => f.no === 1);
  const kindField = tm.find((f) => f.no === 2);
  const kind = kindField ? str(kindField) : "";
  const version = apiVersion ? str(apiVersion) : "";
  const list = raw ? fields(bytesOf(raw)) : [];
  const meta = list.find((f) => f.no === 1);
  const metadata = meta ? objectMeta(bytesOf(meta)) : {};
  const review = ownValue(groupDecoders, `${version} ${kind}`);
  if (review) return { apiVersion: version, kind, metadata, spec: review(fields(bytesOf(list.find((f) => f.no === 2) ?? { no: 2, wire: 2, value: Buffer.alloc(0) }))) };
  const decode = ownValue(decoders, kind);
  if (!decode || version !== "v1") {
    throw new ApiError(415, "UnsupportedMediaType", `protobuf bodies are only decoded for core/v1 ConfigMap, Secret, Namespace and ServiceAccount, access reviews and TokenRequest (got ${version || "?"} ${kind || "?"}); send application/json`, {});
  }
  return { apiVersion: "v1", kind, metadata, ...decode(list) };
}
