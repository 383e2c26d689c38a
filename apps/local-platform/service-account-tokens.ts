// What the kubelet does for a pod's ServiceAccount, for our local components: a directory with
// `token` (from the TokenRequest API, one hour, rewritten at 80% of its life), `ca.crt` and
// `namespace`, the layout the in-cluster configuration reads, plus a kubeconfig naming the token
// file for components started in this process. Minting tokens is the kubelet's job, so this is the
// one place besides applying clusters/local where `dmac up` uses the admin credential.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { chownSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kubeconfigFor, writeKubeconfig } from "../control-plane/kubeconfig.js";

const EXPIRATION_SECONDS = 3600;
const REFRESH_AT = 0.8;

export interface ServiceAccountCredentials {
  /** token, ca.crt, namespace: mount at /var/run/secrets/kubernetes.io/serviceaccount. */
  readonly dir: string;
  readonly tokenFile: string;
  /** A kubeconfig file for a component of this process (client-node re-reads the token file). */
  readonly kubeconfigPath: string;
  kubeConfig(): KubeConfig;
}

export interface TokenFilesOptions {
  /** The kubelet's credential: allowed to create serviceaccounts/token. */
  readonly admin: KubeConfig;
  readonly server: string;
  readonly caPem?: string;
  readonly baseDir: string;
  /** Owner of the files (pods run as a fixed non-root user). */
  readonly owner?: { uid: number; gid: number };
  readonly onError?: (err: Error, namespace: string, name: string) => void;
}

export class ServiceAccountTokenFiles {
  private readonly core: CoreV1Api;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly issued = new Map<string, ServiceAccountCredentials>();

  constructor(private readonly options: TokenFilesOptions) {
    this.core = options.admin.makeApiClient(CoreV1Api);
  }

  /** Credentials of an existing ServiceAccount; the token is kept fresh until stop(). */
  async ensure(namespace: string, name: string): Promise<ServiceAccountCredentials> {
    const key = `${namespace}/${name}`;
    const known = this.issued.get(key);
    if (known) return known;
    const dir = join(this.options.baseDir, namespace, name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const tokenFile = join(dir, "token");
    writeFileSync(join(dir, "ca.crt"), this.options.caPem ?? "", { mode: 0o444 });
    writeFileSync(join(dir, "namespace"), namespace, { mode: 0o444 });
    await this.refresh(namespace, name, tokenFile);
    const kubeconfigPath = join(dir, "kubeconfig");
    writeKubeconfig(kubeconfigPath, kubeconfigFor(this.options.server, { tokenFile }, namespace, this.options.caPem));
    this.chown(dir);
    const credentials: ServiceAccountCredentials = {
      dir,
      tokenFile,
      kubeconfigPath,
      kubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
    };
    this.issued.set(key, credentials);
    return credentials;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Writes a fresh token, then schedules the next at 80% of its life (30 s after a failure). */
  private async refresh(namespace: string, name: string, tokenFile: string): Promise<void> {
    const response = await this.core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: EXPIRATION_SECONDS } } });
    const token = response.status?.token;
    if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
    const tmp = `${tokenFile}.tmp`;
    writeFileSync(tmp, token, { mode: 0o440 });
    if (this.options.owner) chownSync(tmp, this.options.owner.uid, this.options.owner.gid);
    renameSync(tmp, tokenFile);
    this.schedule(namespace, name, tokenFile, EXPIRATION_SECONDS * REFRESH_AT * 1000);
  }

  private schedule(namespace: string, name: string, tokenFile: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.refresh(namespace, name, tokenFile).catch((err: unknown) => {
        // The old token is still valid for the remaining fifth of its life.
        this.options.onError?.(err as Error, namespace, name);
        this.schedule(namespace, name, tokenFile, 30_000);
      });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private chown(dir: string): void {
    const owner = this.options.owner;
    if (!owner) return;
    chownSync(dir, owner.uid, owner.gid);
    for (const entry of readdirSync(dir)) chownSync(join(dir, entry), owner.uid, owner.gid);
  }
}
