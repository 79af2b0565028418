import { describe, expect, it } from 'vitest';
import { StatusError } from '../errors';
import type { AdmissionRequest } from '../hooks';
import { createAdmissionPlugins, quotaStatus } from '../admission';
import { MemStore } from './auth-memstore';

const user = { name: 'alice', groups: ['system:authenticated'] };
const [limitRanger, resourceQuota] = createAdmissionPlugins();
const NS = 'team-a';

function pod(name: string, containers: any[], extra: any = {}): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers }, status: { phase: 'Pending', qosClass: 'BestEffort' }, ...extra };
}
const c = (name: string, resources?: any) => ({ name, image: 'nginx', ...(resources ? { resources } : {}) });

function createReq(resource: string, object: any, group = ''): AdmissionRequest {
  return { operation: 'CREATE', group, resource, subresource: '', namespace: NS, object, user };
}

/** Runs both plugins as the core does, then stores the object and runs afterWrite. */
function create(s: MemStore, resource: string, object: any, group = ''): any {
  const req = createReq(resource, object, group);
  for (const p of [limitRanger, resourceQuota]) p.admit(req, s);
  s.add(group, resource, req.object);
  for (const p of [limitRanger, resourceQuota]) p.afterWrite?.(req, s, s);
  return req.object;
}

function del(s: MemStore, resource: string, name: string, group = '') {
  const old = s.get(group, resource, NS, name);
  s.remove(group, resource, NS, name);
  const req: AdmissionRequest = { operation: 'DELETE', group, resource, subresource: '', namespace: NS, object: undefined, oldObject: old, user };
  for (const p of [limitRanger, resourceQuota]) p.afterWrite?.(req, s, s);
}

function err(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('LimitRanger', () => {
  function withLR(limits: any[]) {
    const s = new MemStore();
    create(s, 'limitranges', { metadata: { name: 'lr', namespace: NS }, spec: { limits } });
    return s;
  }

  it('defaults LimitRange items like SetDefaults_LimitRangeItem', () => {
    const s = withLR([{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }]);
    expect(s.get('', 'limitranges', NS, 'lr').spec.limits[0]).toEqual({
      type: 'Container',
      max: { cpu: '2' },
      min: { memory: '64Mi' },
      default: { cpu: '2' },
      defaultRequest: { cpu: '2', memory: '64Mi' },
    });
  });

  it('applies default limits and requests (request falls back to default limit) with the annotation', () => {
    const s = withLR([{ type: 'Container', default: { cpu: '500m', memory: '0.5Gi' }, defaultRequest: { cpu: '0.1' } }]);
    const p = create(s, 'pods', pod('web', [c('app'), c('side', { requests: { memory: '100Mi' } })]));
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '512Mi' } });
    expect(p.spec.containers[1].resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '100Mi' } });
    expect(p.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; cpu request for container side; cpu, memory limit for container side',
    );
    expect(p.status.qosClass).toBe('Burstable');
  });

  it('a container limit without request takes the limit as request (pod defaulting), not the LR default', () => {
    const s = withLR([{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }]);
    const p = create(s, 'pods', pod('web', [c('app', { limits: { cpu: '2' } })]));
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '2' }, requests: { cpu: '2' } });
    expect(p.metadata.annotations).toBeUndefined();
  });

  it('enforces min and max with the real messages', () => {
    const s = withLR([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1', memory: '1Gi' }, default: { memory: '256Mi' } }]);
    const e = err(() => create(s, 'pods', pod('x', [c('c', { requests: { cpu: '50m' }, limits: { cpu: '2' } })])));
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe(
      'pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2]',
    );
    expect(e.details).toEqual({ name: 'x', kind: 'pods' });
    const e2 = err(() => create(s, 'pods', pod('y', [c('c', { requests: { cpu: '200m' }, limits: { cpu: '500m', memory: '2Gi' } })])));
    expect(e2.message).toBe('pods "y" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
    // identical errors from two containers are reported once
    const e3 = err(() => create(s, 'pods', pod('z', [c('a', { limits: { cpu: '3' } }), c('b', { limits: { cpu: '3' } })])));
    expect(e3.message).toBe('pods "z" is forbidden: maximum cpu usage per Container is 1, but limit is 3');
  });

  it('no request / no limit variants and the ratio', () => {
    const s = withLR([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]);
    const e = err(() => create(s, 'pods', pod('x', [c('c', { requests: { cpu: '100m' }, limits: { cpu: '500m' } })])));
    expect(e.message).toBe('pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000');
    const e2 = err(() => create(s, 'pods', pod('y', [c('c', { requests: { cpu: '100m' } })])));
    expect(e2.message).toBe('pods "y" is forbidden: cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0');
    create(s, 'pods', pod('ok', [c('c', { requests: { cpu: '250m' }, limits: { cpu: '500m' } })]));
  });

  it('Pod-type limits sum the containers', () => {
    const s = withLR([{ type: 'Pod', max: { memory: '1Gi' } }]);
    const e = err(() => create(s, 'pods', pod('x', [c('a', { limits: { memory: '768Mi' } }), c('b', { limits: { memory: '512Mi' } })])));
    expect(e.message).toBe('pods "x" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1280Mi');
  });

  it('PVC min/max storage', () => {
    const s = withLR([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]);
    const pvc = (name: string, storage: string) => ({ metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    expect(err(() => create(s, 'persistentvolumeclaims', pvc('small', '500Mi'))).message).toBe(
      'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
    expect(err(() => create(s, 'persistentvolumeclaims', pvc('big', '20Gi'))).message).toBe(
      'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    create(s, 'persistentvolumeclaims', pvc('fine', '5Gi'));
  });

  it('ignores pod updates and other resources', () => {
    const s = withLR([{ type: 'Container', max: { cpu: '1' } }]);
    const p = pod('x', [c('c', { limits: { cpu: '5' } })]);
    limitRanger.admit({ operation: 'UPDATE', group: '', resource: 'pods', subresource: '', namespace: NS, object: p, oldObject: p, user }, s);
    limitRanger.admit(createReq('configmaps', { metadata: { name: 'cm' } }), s);
  });
});

describe('ResourceQuota', () => {
  function withQuota(hard: Record<string, string>, extra: any = {}) {
    const s = new MemStore();
    create(s, 'resourcequotas', { metadata: { name: 'q', namespace: NS }, spec: { hard, ...extra } });
    return s;
  }
  const status = (s: MemStore, name = 'q') => s.get('', 'resourcequotas', NS, name).status;

  it('computes status.hard/used on quota creation from existing objects', () => {
    const s = new MemStore();
    s.add('', 'pods', pod('a', [c('c', { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } })]));
    s.add('', 'pods', pod('done', [c('c', { requests: { cpu: '1' } })], { status: { phase: 'Succeeded' } }));
    s.add('', 'configmaps', { metadata: { name: 'cm', namespace: NS } });
    s.add('apps', 'deployments', { metadata: { name: 'd', namespace: NS } });
    create(s, 'resourcequotas', {
      metadata: { name: 'q', namespace: NS },
      spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2048Mi', configmaps: '5', 'count/deployments.apps': '3', 'count/pods': '20', services: '2', foo: '1' } },
    });
    expect(status(s)).toEqual({
      hard: { configmaps: '5', 'count/deployments.apps': '3', 'count/pods': '20', foo: '1', 'limits.memory': '2Gi', pods: '10', 'requests.cpu': '2', services: '2' },
      used: { configmaps: '1', 'count/deployments.apps': '1', 'count/pods': '2', 'limits.memory': '256Mi', pods: '1', 'requests.cpu': '250m', services: '0' },
    });
  });

  it('refuses with the exceeded message showing only exceeded resources', () => {
    const s = withQuota({ 'limits.cpu': '1', pods: '10' });
    create(s, 'pods', pod('a', [c('c', { limits: { cpu: '600m' } })]));
    expect(status(s).used).toEqual({ 'limits.cpu': '600m', pods: '1' });
    const e = err(() => create(s, 'pods', pod('b', [c('c', { limits: { cpu: '2' } })])));
    expect(e.code).toBe(403);
    expect(e.message).toBe('pods "b" is forbidden: exceeded quota: q, requested: limits.cpu=2, used: limits.cpu=600m, limited: limits.cpu=1');
    expect(e.details).toEqual({ name: 'b', kind: 'pods' });
  });

  it('several exceeded resources are sorted', () => {
    const s = withQuota({ pods: '1', 'requests.memory': '1Gi', 'requests.cpu': '1' });
    create(s, 'pods', pod('a', [c('c', { requests: { cpu: '1', memory: '1Gi' } })]));
    const e = err(() => create(s, 'pods', pod('b', [c('c', { requests: { cpu: '500m', memory: '512Mi' } })])));
    expect(e.message).toBe(
      'pods "b" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=500m,requests.memory=512Mi, used: pods=1,requests.cpu=1,requests.memory=1Gi, limited: pods=1,requests.cpu=1,requests.memory=1Gi',
    );
  });

  it('requires compute resources the quota tracks', () => {
    const s = withQuota({ 'limits.cpu': '4', 'requests.memory': '1Gi' });
    const e = err(() => create(s, 'pods', pod('x', [c('a'), c('b', { limits: { cpu: '1' } })])));
    expect(e.message).toBe('pods "x" is forbidden: failed quota: q: must specify limits.cpu for: a; requests.memory for: a,b');
  });

  it('LimitRanger defaults satisfy the quota (plugin order)', () => {
    const s = withQuota({ 'limits.cpu': '1' });
    create(s, 'limitranges', { metadata: { name: 'lr', namespace: NS }, spec: { limits: [{ type: 'Container', default: { cpu: '300m' } }] } });
    create(s, 'pods', pod('a', [c('c')]));
    create(s, 'pods', pod('b', [c('c')]));
    create(s, 'pods', pod('c', [c('c')]));
    expect(status(s).used).toEqual({ 'limits.cpu': '900m' });
    expect(err(() => create(s, 'pods', pod('d', [c('c')]))).message).toBe(
      'pods "d" is forbidden: exceeded quota: q, requested: limits.cpu=300m, used: limits.cpu=900m, limited: limits.cpu=1',
    );
  });

  it('tracks deletes and terminal pods', () => {
    const s = withQuota({ pods: '2', 'count/pods': '10' });
    create(s, 'pods', pod('a', [c('c')]));
    create(s, 'pods', pod('b', [c('c')]));
    expect(status(s).used).toEqual({ 'count/pods': '2', pods: '2' });
    expect(err(() => create(s, 'pods', pod('c', [c('c')]))).message).toBe(
      'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
    del(s, 'pods', 'a');
    expect(status(s).used).toEqual({ 'count/pods': '1', pods: '1' });
    // b finishes: its status update frees "pods" but not "count/pods"
    const b = s.get('', 'pods', NS, 'b');
    const old = structuredClone(b);
    b.status = { phase: 'Succeeded' };
    resourceQuota.afterWrite!({ operation: 'UPDATE', group: '', resource: 'pods', subresource: 'status', namespace: NS, object: b, oldObject: old, user }, s, s);
    expect(status(s).used).toEqual({ 'count/pods': '1', pods: '0' });
  });

  it('object counts: configmaps, secrets, services, count/<r>.<g>', () => {
    const s = withQuota({ configmaps: '1', 'count/secrets': '1', services: '1', 'services.loadbalancers': '0', 'count/deployments.apps': '1' });
    create(s, 'configmaps', { metadata: { name: 'a', namespace: NS } });
    expect(err(() => create(s, 'configmaps', { metadata: { name: 'b', namespace: NS } })).message).toBe(
      'configmaps "b" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
    );
    create(s, 'secrets', { metadata: { name: 's', namespace: NS } });
    expect(err(() => create(s, 'secrets', { metadata: { name: 's2', namespace: NS } })).message).toBe(
      'secrets "s2" is forbidden: exceeded quota: q, requested: count/secrets=1, used: count/secrets=1, limited: count/secrets=1',
    );
    expect(err(() => create(s, 'services', { metadata: { name: 'lb', namespace: NS }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } })).message).toBe(
      'services "lb" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
    create(s, 'services', { metadata: { name: 'svc', namespace: NS }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
    create(s, 'deployments', { metadata: { name: 'd', namespace: NS } }, 'apps');
    expect(err(() => create(s, 'deployments', { metadata: { name: 'e', namespace: NS } }, 'apps')).message).toBe(
      'deployments.apps "e" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    expect(status(s).used).toEqual({ configmaps: '1', 'count/deployments.apps': '1', 'count/secrets': '1', services: '1', 'services.loadbalancers': '0' });
  });

  it('PVC requests.storage and per-storage-class', () => {
    const s = withQuota({ 'requests.storage': '10Gi', persistentvolumeclaims: '5', 'fast.storageclass.storage.k8s.io/requests.storage': '1Gi' });
    const pvc = (name: string, storage: string, sc?: string) => ({ metadata: { name, namespace: NS }, spec: { storageClassName: sc, resources: { requests: { storage } } } });
    create(s, 'persistentvolumeclaims', pvc('a', '8Gi'));
    expect(err(() => create(s, 'persistentvolumeclaims', pvc('b', '4Gi'))).message).toBe(
      'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: requests.storage=4Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi',
    );
    expect(err(() => create(s, 'persistentvolumeclaims', pvc('c', '2Gi', 'fast'))).message).toBe(
      'persistentvolumeclaims "c" is forbidden: exceeded quota: q, requested: fast.storageclass.storage.k8s.io/requests.storage=2Gi, used: fast.storageclass.storage.k8s.io/requests.storage=0, limited: fast.storageclass.storage.k8s.io/requests.storage=1Gi',
    );
  });

  it('scopes: BestEffort / NotBestEffort', () => {
    const s = withQuota({ pods: '1' }, { scopes: ['BestEffort'] });
    create(s, 'pods', pod('be', [c('c')]));
    create(s, 'pods', pod('burst', [c('c', { requests: { cpu: '100m' } })])); // not in scope
    expect(err(() => create(s, 'pods', pod('be2', [c('c')]))).message).toBe(
      'pods "be2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    expect(status(s).used).toEqual({ pods: '1' });
  });

  it('update changes usage by the delta (services)', () => {
    const s = withQuota({ 'services.nodeports': '2' });
    const svc = create(s, 'services', { metadata: { name: 'a', namespace: NS }, spec: { type: 'ClusterIP', ports: [{ port: 80 }, { port: 81 }, { port: 82 }] } });
    const next = { ...svc, spec: { ...svc.spec, type: 'NodePort' } };
    const e = err(() => resourceQuota.admit({ operation: 'UPDATE', group: '', resource: 'services', subresource: '', namespace: NS, object: next, oldObject: svc, user }, s));
    expect(e.message).toBe('services "a" is forbidden: exceeded quota: q, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2');
  });

  it('quotaStatus canonicalizes quantities', () => {
    const s = new MemStore();
    expect(quotaStatus({ metadata: { name: 'q', namespace: NS }, spec: { hard: { 'requests.cpu': '1000m', 'requests.memory': '1024Mi' } } }, s)).toEqual({
      hard: { 'requests.cpu': '1', 'requests.memory': '1Gi' },
      used: { 'requests.cpu': '0', 'requests.memory': '0' },
    });
  });
});

describe('LimitRange item defaulting', () => {
  it('leaves no empty default maps', async () => {
    const { defaultLimitRangeItem } = await import('../admission/limitranger');
    expect(defaultLimitRangeItem({ type: 'Container', maxLimitRequestRatio: { cpu: '2' } })).toEqual({ type: 'Container', maxLimitRequestRatio: { cpu: '2' } });
    expect(defaultLimitRangeItem({ type: 'Pod', max: { cpu: '2' } })).toEqual({ type: 'Pod', max: { cpu: '2' } });
  });
});
