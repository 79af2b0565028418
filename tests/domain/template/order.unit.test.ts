import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '../../../domain/template/objects';
import { applyOrder, deleteOrder, relations } from '../../../domain/template/order';
import { renderTemplate } from '../../../domain/template/render';

/** Renders bare YAML (no parameters) into objects, as the template pipeline would. */
function objects(yaml: string): KubernetesObject[] {
  return renderTemplate({ documents: yaml, parameters: [] }, {}, { namespace: 'team-a', appName: 'shop' }).objects;
}

const names = (list: KubernetesObject[]) => list.map((o) => `${o.kind}/${o.metadata.name}`);

const shop = objects(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  rules:
    - host: shop.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
          - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: fallback}
spec:
  selector: {app: nothing-matches}
  ports: [{port: 80}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      imagePullSecrets: [{name: pull}]
      volumes:
        - {name: conf, configMap: {name: web-config}}
        - {name: tls, secret: {secretName: web-tls}}
        - {name: both, projected: {sources: [{configMap: {name: web-config}}, {secret: {name: outside}}]}}
      initContainers:
        - name: migrate
          image: migrate
          envFrom: [{secretRef: {name: db}}]
      containers:
        - name: web
          image: web
          envFrom: [{configMapRef: {name: web-config}}]
          env:
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            - {name: MODE, valueFrom: {configMapKeyRef: {name: web-config, key: mode}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      volumes: [{name: data, persistentVolumeClaim: {claimName: db-data}}]
      containers: [{name: db, image: postgres}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: db-data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: secret}
---
apiVersion: v1
kind: Secret
metadata: {name: pull}
type: kubernetes.io/dockerconfigjson
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: prod}
`);

describe('applyOrder and deleteOrder', () => {
  it('applies config and storage, then workloads, autoscalers, Services and Ingresses', () => {
    expect(names(applyOrder(shop))).toEqual([
      'PersistentVolumeClaim/db-data',
      'Secret/db',
      'Secret/pull',
      'ConfigMap/web-config',
      'Deployment/web',
      'StatefulSet/db',
      'HorizontalPodAutoscaler/web',
      'Service/web',
      'Service/fallback',
      'Ingress/web',
    ]);
  });

  it('keeps the template order within one phase', () => {
    const kinds = applyOrder([
      { kind: 'Job' as const, n: 1 },
      { kind: 'ConfigMap' as const, n: 2 },
      { kind: 'CronJob' as const, n: 3 },
      { kind: 'Deployment' as const, n: 4 },
    ]);
    expect(kinds.map((k) => k.n)).toEqual([2, 1, 3, 4]);
  });

  it('deletes in the exact reverse', () => {
    expect(names(deleteOrder(shop))).toEqual(names(applyOrder(shop)).reverse());
  });

  it('does not change its input', () => {
    const before = names(shop);
    applyOrder(shop);
    deleteOrder(shop);
    expect(names(shop)).toEqual(before);
  });
});

describe('relations', () => {
  const edges = relations(shop).map((e) => `${e.from.kind}/${e.from.name} ${e.type} ${e.to.kind}/${e.to.name}`);

  it('links a Service to the workloads whose pod labels its selector matches', () => {
    expect(edges).toContain('Service/web selects Deployment/web');
    expect(edges.filter((e) => e.startsWith('Service/fallback'))).toEqual([]);
  });

  it('links an Ingress to its backend Services, default backend included', () => {
    expect(edges).toContain('Ingress/web routes Service/web');
    expect(edges).toContain('Ingress/web routes Service/fallback');
  });

  it('links a workload to the ConfigMaps, Secrets and claims its pods use', () => {
    expect(edges.filter((e) => e.startsWith('Deployment/web uses')).sort()).toEqual([
      'Deployment/web uses ConfigMap/web-config',
      'Deployment/web uses Secret/db',
      'Deployment/web uses Secret/pull',
    ]);
    expect(edges).toContain('StatefulSet/db uses PersistentVolumeClaim/db-data');
  });

  it('links an HPA to its scale target', () => {
    expect(edges).toContain('HorizontalPodAutoscaler/web scales Deployment/web');
  });

  it('leaves out references to objects outside the application, and lists each edge once', () => {
    expect(edges.some((e) => e.includes('api') || e.includes('web-tls') || e.includes('outside'))).toBe(false);
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges).toHaveLength(8);
  });

  it('ignores a Service without selector', () => {
    const list = objects(`apiVersion: v1
kind: Service
metadata: {name: external}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}
`);
    expect(relations(list)).toEqual([]);
  });
});
