/**
 * One Kubernetes cluster as ramp talks to it: server-side apply with field manager `ramp`,
 * read, merge-patch. @kubernetes/client-node finds each kind's resource path by discovery and
 * authenticates; the bodies go over the wire as plain JSON, not through the client's typed
 * models, which drop every field their model does not know (x-kubernetes-* in a CRD, fields
 * newer than the client) — ramp must apply exactly what Git says. Errors say what was being
 * done to which object.
 */
import { request } from 'node:https';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
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

/** KubernetesObjectApi, with the discovery lookups it keeps protected. */
class ObjectApi extends KubernetesObjectApi {
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }

  /** The object's URL path (by discovery); throws when the server does not serve the kind. */
  path(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    return this.specUriPath(
      { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } },
      'read',
    );
  }
}

/** An HTTP answer that is not 2xx, with the API server's Status message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class KubeCluster {
  readonly #api: ObjectApi;
  readonly #config: KubeConfig;
  /** For messages: the server URL and context. */
  readonly name: string;

  constructor(ref: ClusterRef = {}) {
    const config = new KubeConfig();
    if (ref.kubeconfig) config.loadFromFile(ref.kubeconfig);
    else config.loadFromDefault();
    if (ref.context) {
      if (!config.getContexts().some((c) => c.name === ref.context)) {
        throw new KubeApiError(
          `the kubeconfig${ref.kubeconfig ? ` ${ref.kubeconfig}` : ''} has no context ${ref.context}; correct sync.context or the worker's RAMP_KUBECONFIG`,
          0,
        );
      }
      config.setCurrentContext(ref.context);
    }
    this.#config = config;
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
  async apply(object: KubeObject): Promise<KubeObject> {
    const { status: _status, ...body } = object;
    const query = `?fieldManager=${FIELD_MANAGER}&force=true`;
    return this.#call(
      `apply ${describeObject(object)}`,
      async () => (await this.#send('PATCH', object, query, body, PatchStrategy.ServerSideApply)) as KubeObject,
    );
  }

  /** The live object, or null when it does not exist. */
  async get(ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<KubeObject | null> {
    try {
      return (await this.#send('GET', ref, '')) as KubeObject;
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw this.#error(`read ${describeObject(ref)}`, err);
    }
  }

  /** A JSON merge patch (annotations, status requests). */
  mergePatch(ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Record<string, unknown>): Promise<KubeObject> {
    return this.#call(
      `patch ${describeObject(ref)}`,
      async () => (await this.#send('PATCH', ref, `?fieldManager=${FIELD_MANAGER}`, patch, PatchStrategy.MergePatch)) as KubeObject,
    );
  }

  async #send(
    method: 'GET' | 'PATCH',
    ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    query: string,
    body?: unknown,
    contentType?: string,
  ): Promise<unknown> {
    const server = this.#config.getCurrentCluster()?.server;
    if (!server) throw new KubeApiError('the kubeconfig names no server for its current context', 0);
    const url = new URL(`${server.replace(/\/$/, '')}${await this.#api.path(ref)}${query}`);
    const options: Parameters<typeof request>[1] = {
      method,
      headers: { accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}) },
      timeout: 30_000,
    };
    await this.#config.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(url, options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = safeJson(text);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed);
          else reject(new HttpError(status, statusMessage(parsed) ?? `HTTP ${status}`));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end(payload);
    });
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
    if (err instanceof HttpError) {
      const { status } = err;
      const detail = err.message;
      const hint =
        status === 401
          ? "the worker's credentials were refused; check RAMP_KUBECONFIG"
          : status === 403
            ? 'the worker may not do this; grant it in its ClusterRole (deploy/rbac/clusterrole.yaml)'
            : status === 404
              ? 'it does not exist'
              : status === 409 || status === 422
                ? 'the cluster refused the object; fix the manifest in Git'
                : 'the API server failed; it will be tried again';
      return new KubeApiError(`cannot ${doing} in ${this.name}: ${detail} (HTTP ${status}); ${hint}`, status);
    }
    const message = err instanceof Error ? err.message : String(err);
    // Discovery's answer for a kind the server does not serve: an unknown kind in a served group, or
    // a group not served at all (client-node's ApiException, code 404, raw headers in its message).
    const code = typeof (err as { code?: unknown } | null)?.code === 'number' ? (err as { code: number }).code : undefined;
    if (/Unrecognized API version and kind/i.test(message) || (code === 404 && /resource metadata/i.test(message))) {
      return new KubeApiError(
        `cannot ${doing} in ${this.name}: the server does not serve this kind. Install its CRD, or correct the manifest's apiVersion`,
        404,
      );
    }
    return new KubeApiError(`cannot ${doing} in ${this.name}: ${message}`, 0);
  }
}

function statusMessage(body: unknown): string | undefined {
  const parsed: unknown = typeof body === 'string' ? safeJson(body) : body;
  return typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string'
    ? (parsed as { message: string }).message
    : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
