/**
 * Connect-style subresources (pods/log, pods/exec, pods/attach, pods/portforward, pods/eviction,
 * pods/binding, nodes/proxy, services/proxy, pods/proxy, serviceaccounts/token), registered in one
 * place. Part 1 implements eviction and binding; the others answer 404 for a missing object and
 * 501 otherwise until part 2 registers real handlers with `registerSubresource`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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

for (const [res, sub] of [
  ['pods', 'log'],
  ['pods', 'exec'],
  ['pods', 'attach'],
  ['pods', 'portforward'],
  ['pods', 'proxy'],
  ['nodes', 'proxy'],
  ['services', 'proxy'],
  ['serviceaccounts', 'token'],
]) registerSubresource(res, sub, notImplemented);

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
