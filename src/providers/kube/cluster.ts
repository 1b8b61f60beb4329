/**
 * One Kubernetes cluster as ramp talks to it: server-side apply with field manager `ramp`,
 * read, merge-patch — over @kubernetes/client-node's generic object API, which finds each
 * kind's resource path by discovery. Errors say what was being done to which object.
 */
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from './objects.js';

export const FIELD_MANAGER = 'ramp';

/** Which cluster: a kubeconfig file (default: KUBECONFIG, ~/.kube/config or in-cluster) and context. */
export interface ClusterRef {
  kubeconfig?: string;
  context?: string | null;
}

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    message: string,
    /** HTTP status, 0 when the server was not reached. */
    readonly status: number,
  ) {
    super(message);
  }

  /** Worth trying again: the server was unreachable, overloaded or timed out. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** KubernetesObjectApi, with the namespaced-or-not lookup it keeps protected. */
class ObjectApi extends KubernetesObjectApi {
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }
}

export class KubeCluster {
  readonly #api: ObjectApi;
  /** For messages: the server URL and context. */
  readonly name: string;

  constructor(ref: ClusterRef = {}) {
    const config = new KubeConfig();
    if (ref.kubeconfig) config.loadFromFile(ref.kubeconfig);
    else config.loadFromDefault();
    if (ref.context) {
      if (!config.getContexts().some((c) => c.name === ref.context)) {
        throw new KubeApiError(`the kubeconfig${ref.kubeconfig ? ` ${ref.kubeconfig}` : ''} has no context ${ref.context}; correct sync.context or the worker's RAMP_KUBECONFIG`, 0);
      }
      config.setCurrentContext(ref.context);
    }
    this.#api = config.makeApiClient(ObjectApi);
    this.name = `${config.getCurrentCluster()?.server ?? '(no server)'} (context ${config.getCurrentContext()})`;
  }

  /** Sets `namespace` on namespaced objects that name none; a kind the server does not know is an error. */
  async withNamespace(object: KubeObject, namespace: string): Promise<KubeObject> {
    if (object.metadata.namespace) return object;
    const namespaced = await this.#call(`look up ${object.apiVersion} ${object.kind}`, () => this.#api.namespaced(object.apiVersion, object.kind));
    if (namespaced === undefined) {
      throw new KubeApiError(
        `${this.name} does not serve ${object.kind} in ${object.apiVersion} (for ${object.kind} ${object.metadata.name}). Install its CRD, or correct the manifest's apiVersion`,
        404,
      );
    }
    return namespaced ? { ...object, metadata: { ...object.metadata, namespace } } : object;
  }

  /** Server-side apply as field manager `ramp`, taking over fields others set (force). */
  apply(object: KubeObject): Promise<KubeObject> {
    const { status: _status, ...body } = object;
    return this.#call(`apply ${describeObject(object)}`, () =>
      this.#api.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
    ) as Promise<KubeObject>;
  }

  /** The live object, or null when it does not exist. */
  async get(ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<KubeObject | null> {
    try {
      return (await this.#api.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.metadata.name, namespace: ref.metadata.namespace } })) as KubeObject;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return null;
      throw this.#error(`read ${describeObject(ref)}`, err);
    }
  }

  /** A JSON merge patch (annotations, status requests). */
  mergePatch(ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Record<string, unknown>): Promise<KubeObject> {
    const body = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.metadata.name, namespace: ref.metadata.namespace }, ...patch };
    return this.#call(`patch ${describeObject(ref)}`, () =>
      this.#api.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
    ) as Promise<KubeObject>;
  }

  async #call<T>(doing: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.#error(doing, err);
    }
  }

  #error(doing: string, err: unknown): KubeApiError {
    if (err instanceof KubeApiError) return err;
    if (err instanceof ApiException) {
      const status = (err as ApiException<unknown>).code;
      const detail = statusMessage((err as ApiException<unknown>).body) ?? err.message;
      const hint =
        status === 401 ? 'the worker\'s credentials were refused; check RAMP_KUBECONFIG'
        : status === 403 ? 'the worker may not do this; grant it in its ClusterRole (deploy/rbac/clusterrole.yaml)'
        : status === 404 ? 'it does not exist'
        : status === 409 || status === 422 ? 'the cluster refused the object; fix the manifest in Git'
        : 'the API server failed; it will be tried again';
      return new KubeApiError(`cannot ${doing} in ${this.name}: ${detail} (HTTP ${status}); ${hint}`, status);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/Unrecognized API version and kind/i.test(message)) {
      return new KubeApiError(`cannot ${doing} in ${this.name}: the server does not serve this kind. Install its CRD, or correct the manifest's apiVersion`, 404);
    }
    return new KubeApiError(`cannot ${doing} in ${this.name}: ${message}`, 0);
  }
}

function statusMessage(body: unknown): string | undefined {
  const parsed: unknown = typeof body === 'string' ? safeJson(body) : body;
  return typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string' ? (parsed as { message: string }).message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
