/**
 * The live facts a workload operation rests on (containers, replicas, revisions, the autoscaler),
 * read from the cluster, and how each recorded operation is applied to the cluster.
 */
import type { WorkloadEvent, WorkloadKind } from '../../domain/workload/events';
import type { KubeJson, KubeObject } from './kube';
import { apiVersionOf, imagesOf, pathOf, podTemplateOf, selectorText } from './summaries';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
const HPA_PATH = (namespace: string, name?: string) =>
  `/apis/autoscaling/v2/namespaces/${encodeURIComponent(namespace)}/horizontalpodautoscalers${name ? `/${encodeURIComponent(name)}` : ''}`;

export interface Revision {
  revision: number;
  name: string;
  images: Record<string, string>;
  createdAt: string | null;
  replicas: number | null;
  /** The pod template of this revision (what a rollback applies). */
  template: any;
}

export interface Autoscaler {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  cpuTargetPercent: number | null;
  currentReplicas: number | null;
  desiredReplicas: number | null;
  currentCpuPercent: number | null;
  managedByBosun: boolean;
}

export function containersOf(kind: WorkloadKind, object: KubeObject): { name: string; image: string }[] {
  return ((podTemplateOf(kind, object)?.spec?.containers ?? []) as { name: string; image?: string }[]).map((c) => ({ name: c.name, image: c.image ?? '' }));
}

function imageMap(template: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of (template?.spec?.containers ?? []) as { name: string; image?: string }[]) out[c.name] = c.image ?? '';
  return out;
}

const ownedBy = (object: KubeObject, owner: KubeObject) => (object.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid);

/** The revisions a controller keeps: a Deployment's ReplicaSets, a StatefulSet's or DaemonSet's ControllerRevisions. */
export async function revisionsOf(kube: KubeJson, kind: WorkloadKind, object: KubeObject): Promise<{ current: number | null; revisions: Revision[] }> {
  const namespace = object.metadata.namespace!;
  const labelSelector = selectorText(object.spec?.selector) || undefined;
  if (kind === 'Deployment') {
    const list = await kube.request<{ items: KubeObject[] }>('GET', `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets`, { query: { labelSelector } });
    const revisions = list.items
      .filter((rs) => ownedBy(rs, object) && rs.metadata.annotations?.[REVISION_ANNOTATION])
      .map((rs) => {
        const template = structuredClone(rs.spec?.template ?? {});
        if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
        return {
          revision: Number(rs.metadata.annotations![REVISION_ANNOTATION]),
          name: rs.metadata.name,
          images: imageMap(template),
          createdAt: rs.metadata.creationTimestamp ?? null,
          replicas: rs.status?.replicas ?? 0,
          template,
        };
      })
      .filter((r) => Number.isInteger(r.revision))
      .sort((a, b) => b.revision - a.revision);
    const current = Number(object.metadata.annotations?.[REVISION_ANNOTATION]);
    return { current: Number.isInteger(current) && current > 0 ? current : (revisions[0]?.revision ?? null), revisions };
  }
  if (kind === 'StatefulSet' || kind === 'DaemonSet') {
    const list = await kube.request<{ items: KubeObject[] }>('GET', `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/controllerrevisions`, { query: { labelSelector } });
    const revisions = list.items
      .filter((cr) => ownedBy(cr, object))
      .map((cr) => {
        const template = structuredClone((cr as any).data?.spec?.template ?? {});
        delete template.$patch;
        return { revision: Number((cr as any).revision), name: cr.metadata.name, images: imageMap(template), createdAt: cr.metadata.creationTimestamp ?? null, replicas: null, template };
      })
      .sort((a, b) => b.revision - a.revision);
    const currentName = kind === 'StatefulSet' ? object.status?.updateRevision : undefined;
    const current = revisions.find((r) => r.name === currentName)?.revision ?? revisions[0]?.revision ?? null;
    return { current, revisions };
  }
  return { current: null, revisions: [] };
}

/** The HPA whose scale target is this workload, if any. */
export async function autoscalerOf(kube: KubeJson, kind: WorkloadKind, object: KubeObject): Promise<Autoscaler | null> {
  if (kind !== 'Deployment' && kind !== 'StatefulSet') return null;
  const list = await kube.request<{ items: KubeObject[] }>('GET', HPA_PATH(object.metadata.namespace!));
  const hpa = list.items.find((h) => h.spec?.scaleTargetRef?.kind === kind && h.spec?.scaleTargetRef?.name === object.metadata.name);
  if (!hpa) return null;
  const cpu = (hpa.spec?.metrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const currentCpu = (hpa.status?.currentMetrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu');
  return {
    name: hpa.metadata.name,
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 1,
    cpuTargetPercent: cpu?.resource?.target?.averageUtilization ?? null,
    currentReplicas: hpa.status?.currentReplicas ?? null,
    desiredReplicas: hpa.status?.desiredReplicas ?? null,
    currentCpuPercent: currentCpu?.resource?.current?.averageUtilization ?? null,
    managedByBosun: hpa.metadata.labels?.['app.kubernetes.io/managed-by'] === 'bosun',
  };
}

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

/** Applies a recorded operation to the cluster; throws KubeRequestError when the cluster refuses. */
export async function applyOperation(kube: KubeJson, event: WorkloadEvent, context: { object: KubeObject; revisions?: Revision[] }): Promise<void> {
  const d = event.data;
  const path = pathOf(d.kind, d.namespace, d.name);
  const templatePath = d.kind === 'CronJob' ? ['jobTemplate', 'spec', 'template'] : ['template'];
  const atTemplate = (value: unknown) => ({ spec: templatePath.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) });
  switch (event.type) {
    case 'WorkloadScaled':
      await kube.request('PATCH', path, { contentType: MERGE, body: { spec: { replicas: event.data.replicas } } });
      return;
    case 'WorkloadAutoscalerSet': {
      const e = event.data;
      await kube.request('PATCH', HPA_PATH(e.namespace, e.hpaName), {
        contentType: APPLY,
        query: { fieldManager: 'bosun', force: true },
        body: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: e.hpaName, namespace: e.namespace, labels: { 'app.kubernetes.io/managed-by': 'bosun' } },
          spec: {
            scaleTargetRef: { apiVersion: apiVersionOf(e.kind), kind: e.kind, name: e.name },
            minReplicas: e.minReplicas,
            maxReplicas: e.maxReplicas,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: e.cpuTargetPercent } } }],
          },
        },
      });
      return;
    }
    case 'WorkloadAutoscalerRemoved':
      await kube.request('DELETE', HPA_PATH(event.data.namespace, event.data.hpaName));
      return;
    case 'WorkloadImageUpdated':
      await kube.request('PATCH', path, {
        contentType: STRATEGIC,
        body: atTemplate({ spec: { containers: [{ name: event.data.container, image: event.data.image }] } }),
      });
      return;
    case 'WorkloadRestarted':
      await kube.request('PATCH', path, {
        contentType: STRATEGIC,
        body: atTemplate({ metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: event.data.restartedAt } } }),
      });
      return;
    case 'WorkloadRolledBack': {
      const target = context.revisions?.find((r) => r.revision === event.data.toRevision);
      if (!target) throw new Error(`revision ${event.data.toRevision} vanished`);
      // As `kubectl rollout undo`: the revision's pod template replaces the current one, guarded by the resourceVersion read.
      await kube.request('PATCH', path, {
        contentType: JSON_PATCH,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: context.object.metadata.resourceVersion },
          { op: 'replace', path: '/spec/template', value: target.template },
        ],
      });
      return;
    }
    case 'WorkloadDeleted':
      await kube.request('DELETE', path, { query: { propagationPolicy: 'Background' } });
      return;
    case 'WorkloadOperationFailed':
      return;
  }
}

export { imagesOf };
