/**
 * Connect-style subresources (pods/log, pods/exec, pods/attach, pods/portforward, pods/eviction,
 * pods/binding, nodes/proxy, services/proxy, pods/proxy, serviceaccounts/token), registered in one
 * place. Part 1 implements eviction and binding; the others answer 404 for a missing object and
 * 501 otherwise until part 2 registers real handlers with `registerSubresource`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { signServiceAccountToken } from './auth/index';
import { StatusError, conflict, notFound } from './errors';
import type { UserInfo } from './hooks';
import type { ObjectStore } from './objects';
import type { ResourceDef } from './registry';

export interface SubresourceRequest {
  def: ResourceDef;
  subresource: string;
  namespace: string;
  name: string;
  method: string;
  query: URLSearchParams;
  body: any;
  user: UserInfo;
  store: ObjectStore;
  req: IncomingMessage;
  /** set for HTTP upgrade (websocket/SPDY) requests */
  upgrade?: { socket: Duplex; head: Buffer };
  /** for plain requests; a handler may stream into it and return undefined */
  res?: ServerResponse;
}

/** A handler returns a JSON body to send with `status`, or undefined when it has answered itself. */
export type SubresourceHandler = (r: SubresourceRequest) => Promise<{ status: number; body: unknown } | undefined> | { status: number; body: unknown } | undefined;

const handlers = new Map<string, SubresourceHandler>();

export function registerSubresource(resource: string, subresource: string, handler: SubresourceHandler) {
  handlers.set(`${resource}/${subresource}`, handler);
}

export function subresourceHandler(resource: string, subresource: string): SubresourceHandler | undefined {
  return handlers.get(`${resource}/${subresource}`);
}

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });

function notImplemented(r: SubresourceRequest): undefined {
  if (!r.store.get(r.def.group, r.def.resource, r.namespace, r.name)) throw notFound(r.def.group, r.def.resource, r.name);
  throw new StatusError(501, 'NotImplemented', `${r.def.resource}/${r.subresource} is not implemented by kube-sim yet`);
}

/** Where part 2 plugs pod logs in: returns the log text of a running container. */
export type PodLogSource = (namespace: string, pod: string, container: string, query: URLSearchParams) => string;
let podLogSource: PodLogSource = () => '';
export function setPodLogSource(fn: PodLogSource) {
  podLogSource = fn;
}

/**
 * pods/log as kube-apiserver answers it without a kubelet behind: container validation, an empty log for
 * a pod not yet on a node, 400 while the container is not running, else the log source's text.
 */
registerSubresource('pods', 'log', (r) => {
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const init: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  let container = r.query.get('container') ?? '';
  if (!container) {
    if (names.length === 1) container = names[0];
    else {
      const initPart = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
      throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${r.name}, choose one of: [${names.join(' ')}]${initPart}`);
    }
  }
  if (!names.includes(container) && !init.includes(container)) throw new StatusError(400, 'BadRequest', `container ${container} is not valid for pod ${r.name}`);
  let text = '';
  if (pod.spec?.nodeName) {
    const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c: any) => c.name === container);
    if (!st?.state?.running && !st?.state?.terminated)
      throw new StatusError(400, 'BadRequest', `container "${container}" in pod "${r.name}" is waiting to start: ${st?.state?.waiting?.reason ?? 'ContainerCreating'}`);
    text = podLogSource(r.namespace, r.name, container, r.query);
  }
  const res = r.res!;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return undefined;
});

for (const [res, sub] of [
  ['pods', 'exec'],
  ['pods', 'attach'],
  ['pods', 'portforward'],
  ['pods', 'proxy'],
  ['nodes', 'proxy'],
  ['services', 'proxy'],
]) registerSubresource(res, sub, notImplemented);

/** TokenRequest (authentication.k8s.io/v1), as `kubectl create token`: a bound token for the service account. */
registerSubresource('serviceaccounts', 'token', (r) => {
  if (r.method.toUpperCase() !== 'POST') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const sa = r.store.get('', 'serviceaccounts', r.namespace, r.name);
  if (!sa) throw notFound('', 'serviceaccounts', r.name);
  const spec = r.body?.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < 600)
    throw new StatusError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${r.name}" is invalid: spec.expirationSeconds: Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, {
      name: r.name,
      group: 'authentication.k8s.io',
      kind: 'TokenRequest',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, field: 'spec.expirationSeconds' }],
    });
  const { token, expirationTimestamp } = signServiceAccountToken({
    namespace: r.namespace,
    name: r.name,
    uid: sa.metadata.uid,
    audiences: spec.audiences?.length ? spec.audiences : undefined,
    expirationSeconds,
    boundObjectRef: spec.boundObjectRef,
  });
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: r.name, namespace: r.namespace, creationTimestamp: null },
      spec: { audiences: spec.audiences?.length ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'], expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token, expirationTimestamp },
    },
  };
});

registerSubresource('pods', 'eviction', (r) => {
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  r.store.delete('', 'pods', r.namespace, r.name, r.body?.deleteOptions ?? {}, { user: r.user });
  return { status: 201, body: success(201) };
});

registerSubresource('pods', 'binding', (r) => {
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  const node = r.body?.target?.name;
  if (pod.spec?.nodeName) throw conflict('', 'pods/binding', r.name, `pod ${r.name} is already assigned to node "${pod.spec.nodeName}"`);
  const next = structuredClone(pod);
  next.spec.nodeName = node;
  r.store.putRaw('', 'pods', next);
  return { status: 201, body: success(201) };
});
