/**
 * The few cluster operations a reconciler needs, over client-node 2.x's KubernetesObjectApi:
 * server-side apply, get, delete, list by label. Every call carries a timeout, so a cluster
 * that hangs fails its own keys instead of holding workers forever.
 */
import {
  ApiException,
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type ResponseContext,
} from '@kubernetes/client-node';
import { makeConfiguration } from '../../kube/client';
import { classifyClusterError } from '../../kube/errors';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
}

/** What a reconciler may do on one cluster. Injectable, so reconcile logic is testable without a cluster. */
export interface ClusterClient {
  /** Server-side apply (`application/apply-patch+yaml`) with the client's field manager, force on. */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  /** `undefined` when the object does not exist. */
  get(ref: ObjectRef): Promise<KubernetesObject | undefined>;
  /** Deletes in the background; an object that is already gone is not an error. */
  delete(ref: ObjectRef): Promise<void>;
  /** All pages. A kind the cluster does not serve has no objects (empty list). */
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubernetesObject[]>;
}

export interface ClusterClientOptions {
  fieldManager: string;
  /** Per request, including discovery. */
  timeoutMs: number;
  /** Page size for lists. */
  pageSize?: number;
}

/**
 * KubernetesObjectApi speaking plain Kubernetes JSON.
 *
 * client-node 2.x's `patch(spec, pretty, dryRun, fieldManager, force, PatchStrategy.ServerSideApply)`
 * sets the right Content-Type, but runs the body through its typed ObjectSerializer, which only
 * knows TypeScript property names: a LimitRange's `default` (the model's `_default`) is silently
 * dropped, and so is any field the model lacks. Responses are likewise turned into model classes
 * (`_default`, `_continue`, Dates). So the apply body is sent as the JSON we built and responses are
 * returned as parsed JSON; discovery, URL building, auth, TLS and timeouts stay client-node's.
 */
class ObjectApi extends KubernetesObjectApi {
  static create(kc: KubeConfig, timeoutMs: number): ObjectApi {
    // makeConfiguration puts a deadline on every HTTP call, discovery included.
    const api = new ObjectApi(makeConfiguration(kc, { timeoutMs }));
    api.setDefaultNamespace(kc);
    return api;
  }

  async applyJson<T extends KubernetesObject>(object: T, fieldManager: string): Promise<T> {
    // specUriPath fills in defaults (apiVersion, namespace) on what it is given: hand it a copy.
    const path = await this.specUriPath(structuredClone(object), 'patch');
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply); // JSON is valid YAML
    ctx.setQueryParam('fieldManager', fieldManager);
    ctx.setQueryParam('force', 'true');
    ctx.setBody(JSON.stringify(object));
    return this.requestPromise<T>(ctx);
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return (text ? JSON.parse(text) : {}) as T;
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', text, response.headers);
  }
}

/**
 * A failed cluster call. `message` is the reason to record: the API server's Status message when
 * it answered (e.g. `ResourceQuota "bosun-quota" is invalid: ...`), else what went wrong on the way
 * (e.g. `cannot reach https://10.0.0.1:6443: connection refused`). The original error is the cause.
 */
export class KubeCallError extends Error {
  constructor(
    message: string,
    /** HTTP status when the API server answered. */
    readonly code: number | undefined,
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'KubeCallError';
  }
}

export function clusterClient(kc: KubeConfig, opts: ClusterClientOptions): ClusterClient {
  const api = ObjectApi.create(kc, opts.timeoutMs);
  const server = kc.getCurrentCluster()?.server ?? 'the cluster';
  const pageSize = opts.pageSize ?? 500;
  const fail = (operation: string, err: unknown): never => {
    throw new KubeCallError(describe(err, operation), statusCode(err), operation, { cause: err });
  };
  const describe = (err: unknown, operation: string): string => {
    if (err instanceof ApiException) {
      const message = statusMessage(err.body);
      if (message) return message;
      const body = typeof err.body === 'string' ? err.body.trim().slice(0, 300) : '';
      return `${operation}: HTTP ${err.code}${body ? `: ${body}` : ''}`;
    }
    const classified = classifyClusterError(err, { server, timeoutMs: opts.timeoutMs, operation });
    if (classified.kind === 'bad_response' && err instanceof Error) return `${operation}: ${err.message}`;
    return classified.message;
  };
  const what = (ref: ObjectRef) =>
    `${ref.kind} ${ref.metadata.namespace ? `${ref.metadata.namespace}/` : ''}${ref.metadata.name}`;

  return {
    async apply(object) {
      try {
        return await api.applyJson(object, opts.fieldManager);
      } catch (err) {
        return fail(`apply ${what(object as ObjectRef)}`, err);
      }
    },
    async get(ref) {
      try {
        return await api.read(structuredClone(ref));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        return fail(`get ${what(ref)}`, err);
      }
    },
    async delete(ref) {
      try {
        await api.delete(structuredClone(ref) as KubernetesObject, undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        if (isNotFound(err)) return;
        fail(`delete ${what(ref)}`, err);
      }
    },
    async list(apiVersion, kind, listOpts = {}) {
      const items: KubernetesObject[] = [];
      let token: string | undefined;
      do {
        let page;
        try {
          page = await api.list(apiVersion, kind, listOpts.namespace, undefined, undefined, undefined, undefined, listOpts.labelSelector, pageSize, token);
        } catch (err) {
          if (isNotServed(err)) return [];
          return fail(`list ${kind}${listOpts.namespace ? ` in ${listOpts.namespace}` : ''}`, err);
        }
        items.push(...page.items);
        // Plain JSON (see ObjectApi): the token is `continue`, not the model's `_continue`.
        token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
      } while (token);
      return items;
    },
  };
}

export function isNotFound(err: unknown): boolean {
  return statusCode(err) === 404;
}

/** The API group/version or the kind is unknown to the cluster (discovery 404 or kind missing). */
function isNotServed(err: unknown): boolean {
  if (isNotFound(err)) return true;
  return err instanceof Error && err.message.startsWith('Unrecognized API version and kind');
}

export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The reason to record for a failure: the message of a KubeCallError is already the server's or the transport's. */
export function failureReason(err: unknown): string {
  if (err instanceof ApiException) return statusMessage(err.body) ?? `HTTP ${err.code}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return undefined;
}
