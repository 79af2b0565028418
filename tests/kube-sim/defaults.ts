/**
 * Defaulting done by kube-apiserver on write (the subset tests observe), plus per-kind preparation
 * (Secret stringData → data, Service clusterIP allocation, Namespace finalizers/phase, Pod status).
 */
import type { ResourceDef } from './registry';

export interface DefaultingContext {
  allocateClusterIP(): string;
}

function podSpec(spec: any) {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  const containers = (list: any[]) => {
    for (const c of list ?? []) {
      if (!c || typeof c !== 'object') continue;
      c.resources ??= {};
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
        const tag = c.image.includes('@') ? 'digest' : (c.image.split('/').pop()!.split(':')[1] ?? 'latest');
        c.imagePullPolicy = tag === 'latest' ? 'Always' : 'IfNotPresent';
      }
      for (const p of c.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
    }
  };
  if (Array.isArray(spec.containers)) containers(spec.containers);
  if (Array.isArray(spec.initContainers)) containers(spec.initContainers);
}

function template(spec: any) {
  if (spec?.template && typeof spec.template === 'object') {
    spec.template.metadata ??= {};
    podSpec(spec.template.spec);
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const RULES: Record<string, (obj: any, isCreate: boolean, ctx: DefaultingContext, old?: any) => void> = {
  Namespace: (o, isCreate) => {
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    o.spec ??= {};
    if (isCreate) o.spec.finalizers = ['kubernetes'];
    o.status ??= { phase: 'Active' };
  },
  Secret: (o) => {
    o.type ??= 'Opaque';
    if (o.stringData && typeof o.stringData === 'object') {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData)) o.data[k] = b64(String(v));
      delete o.stringData;
    }
  },
  ServiceAccount: () => {},
  Pod: (o, isCreate) => {
    podSpec(o.spec);
    if (o.spec && typeof o.spec === 'object') {
      o.spec.serviceAccountName ??= 'default';
      o.spec.serviceAccount ??= o.spec.serviceAccountName;
      o.spec.enableServiceLinks ??= true;
      o.spec.priority ??= 0;
      o.spec.preemptionPolicy ??= 'PreemptLowerPriority';
      o.spec.tolerations ??= [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ];
    }
    if (isCreate) o.status = { phase: 'Pending', qosClass: qosClass(o.spec) };
  },
  Service: (o, isCreate, ctx, old) => {
    const s = (o.spec ??= {});
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    for (const p of s.ports ?? []) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    if (s.type !== 'ExternalName') {
      if (old?.spec?.clusterIP && s.clusterIP === undefined) {
        s.clusterIP = old.spec.clusterIP;
        s.clusterIPs = old.spec.clusterIPs;
      }
      if (isCreate && (s.clusterIP === undefined || s.clusterIP === '')) s.clusterIP = ctx.allocateClusterIP();
      s.clusterIPs ??= [s.clusterIP];
      s.ipFamilies ??= s.clusterIP === 'None' ? ['IPv4'] : ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
    }
    if (isCreate) o.status ??= { loadBalancer: {} };
  },
  Deployment: (o) => {
    const s = o.spec;
    if (!s || typeof s !== 'object') return;
    s.replicas ??= 1;
    s.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    template(s);
  },
  ReplicaSet: (o) => {
    if (o.spec && typeof o.spec === 'object') {
      o.spec.replicas ??= 1;
      template(o.spec);
    }
  },
  StatefulSet: (o) => {
    const s = o.spec;
    if (!s || typeof s !== 'object') return;
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    s.revisionHistoryLimit ??= 10;
    template(s);
  },
  DaemonSet: (o) => {
    const s = o.spec;
    if (!s || typeof s !== 'object') return;
    s.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    s.revisionHistoryLimit ??= 10;
    template(s);
  },
  Job: (o) => {
    const s = o.spec;
    if (!s || typeof s !== 'object') return;
    s.parallelism ??= 1;
    s.completions ??= 1;
    s.backoffLimit ??= 6;
    s.completionMode ??= 'NonIndexed';
    s.suspend ??= false;
    if (s.template?.spec) s.template.spec.restartPolicy ??= 'Never';
    template(s);
  },
  CronJob: (o) => {
    const s = o.spec;
    if (!s || typeof s !== 'object') return;
    s.concurrencyPolicy ??= 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    if (s.jobTemplate?.spec) template(s.jobTemplate.spec);
  },
  PersistentVolumeClaim: (o, isCreate) => {
    if (o.spec && typeof o.spec === 'object') o.spec.volumeMode ??= 'Filesystem';
    if (isCreate) o.status = { phase: 'Pending' };
  },
  PersistentVolume: (o, isCreate) => {
    if (o.spec && typeof o.spec === 'object') {
      o.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      o.spec.volumeMode ??= 'Filesystem';
    }
    if (isCreate) o.status = { phase: 'Pending' };
  },
  StorageClass: (o) => {
    o.reclaimPolicy ??= 'Delete';
    o.volumeBindingMode ??= 'Immediate';
  },
  NetworkPolicy: (o) => {
    if (o.spec && typeof o.spec === 'object') {
      o.spec.policyTypes ??= o.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  CustomResourceDefinition: (o, isCreate) => {
    if (isCreate) o.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
  },
};

function qosClass(spec: any): string {
  const cs: any[] = Array.isArray(spec?.containers) ? spec.containers : [];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    if (!lim.cpu || !lim.memory || (req.cpu && req.cpu !== lim.cpu) || (req.memory && req.memory !== lim.memory)) guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}

export function applyDefaults(def: ResourceDef, obj: any, isCreate: boolean, ctx: DefaultingContext, old?: any) {
  if (def.custom) return;
  RULES[def.kind]?.(obj, isCreate, ctx, old);
}
