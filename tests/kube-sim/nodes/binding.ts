/**
 * pods/binding as kube-apiserver's BindingREST does it: sets spec.nodeName, copies the Binding's
 * annotations and sets PodScheduled=True in one write; 409 when the pod is already assigned.
 * The scheduler binds through `bindPod` (the same code path).
 */
import { StatusError, conflict, notFound } from '../errors';
import type { ObjectStore } from '../objects';
import { registerSubresource } from '../subresources';
import { nodeSimConfig, rfc3339 } from './util';

export function bindPod(store: ObjectStore, namespace: string, name: string, nodeName: string, opts: { uid?: string; annotations?: Record<string, string> } = {}): any {
  const pod = store.get('', 'pods', namespace, name);
  if (!pod) throw notFound('', 'pods', name);
  if (opts.uid && pod.metadata.uid !== opts.uid) throw conflict('', 'pods/binding', name, `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${pod.metadata.uid}`);
  if (pod.metadata.deletionTimestamp) throw conflict('', 'pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw conflict('', 'pods/binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  if (!nodeName) throw new StatusError(422, 'Invalid', `Binding.core "${name}" is invalid: target.name: Required value`);
  const clock = nodeSimConfig(store).clock;
  const ts = rfc3339(clock ? clock.now() : Date.now());
  const next = structuredClone(pod);
  next.spec.nodeName = nodeName;
  if (opts.annotations && Object.keys(opts.annotations).length) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...opts.annotations };
  next.status = { ...(next.status ?? {}), phase: next.status?.phase ?? 'Pending' };
  const conditions = (next.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts });
  next.status.conditions = conditions;
  return store.putRaw('', 'pods', next);
}

registerSubresource('pods', 'binding', (r) => {
  if (r.method.toUpperCase() !== 'POST') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  bindPod(r.store, r.namespace, r.name, r.body?.target?.name ?? '', { uid: r.body?.metadata?.uid, annotations: r.body?.metadata?.annotations });
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
});
