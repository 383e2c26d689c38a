// Serving certificates for `--tls`: a self-signed CA and a server certificate it signs, kept in the
// data directory (pki/) so a restart serves the same CA and clients keep trusting it. In-cluster
// clients (client-node's loadFromCluster, kubectl in a pod) only speak HTTPS and verify the server
// against the ca.crt beside their ServiceAccount token, so this is what lets pods use the
// standard in-cluster configuration against the embedded control plane.
// @peculiar/x509 resolves its ASN.1 parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { writePrivateFile } from "./private-file.js";

// Node's global WebCrypto (typed by the DOM lib, which is what @peculiar/x509 expects).
const webcrypto: Crypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

export interface ServingCertificates {
  /** PEM of the CA that signed the server certificate (what clients trust). */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Names every client of ours uses for the API server: loopback and the in-cluster Service names. */
export const defaultServingNames: readonly string[] = ["127.0.0.1", "::1", "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const validityDays = 365;

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** A CA and a server certificate for `names` (IP addresses and DNS names), valid for a year. */
export async function createServingCertificates(names: readonly string[]): Promise<ServingCertificates> {
  const now = new Date();
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=dmac-control-plane-ca",
    notBefore: now,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const sans = names.map((n) => (isIP(n) ? { type: "ip" as const, value: n } : { type: "dns" as const, value: n }));
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=dmac-control-plane",
    issuer: ca.subject,
    notBefore: now,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const keyDer = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return { caPem: ca.toString("pem") + "\n", certPem: server.toString("pem") + "\n", keyPem: pem("PRIVATE KEY", keyDer) };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f; // a positive serial
  return Buffer.from(bytes).toString("hex");
}

/**
 * The certificates in `dir` (ca.crt, server.crt, server.key), made on first use. A server
 * certificate that expires within a week or lacks one of `names` is made again with a new CA,
 * so clients must re-read the kubeconfig (dmac writes it at every start).
 */
export async function loadOrCreateServingCertificates(dir: string, names: readonly string[]): Promise<ServingCertificates> {
  const files = { caPem: join(dir, "ca.crt"), certPem: join(dir, "server.crt"), keyPem: join(dir, "server.key") };
  if (Object.values(files).every((f) => existsSync(f))) {
    const existing: ServingCertificates = { caPem: readFileSync(files.caPem, "utf8"), certPem: readFileSync(files.certPem, "utf8"), keyPem: readFileSync(files.keyPem, "utf8") };
    if (stillServes(existing.certPem, names)) return existing;
  }
  const made = await createServingCertificates(names);
  for (const [field, path] of Object.entries(files) as [keyof ServingCertificates, string][]) writePrivateFile(path, made[field]);
  return made;
}

function stillServes(certPem: string, names: readonly string[]): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return false;
  }
  if (new Date(cert.validTo).getTime() - Date.now() < 7 * 86_400_000) return false;
  return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}
