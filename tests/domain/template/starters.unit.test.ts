import { describe, expect, it } from 'vitest';
import { ALLOWED_KINDS, INSTANCE_LABEL, MANAGED_BY_LABEL } from '../../../domain/template/objects';
import { relations } from '../../../domain/template/order';
import { parameterDefinitionsSchema } from '../../../domain/template/parameters';
import { checkTemplate, renderTemplate } from '../../../domain/template/render';
import { requestedResources } from '../../../domain/template/resources';
import { STARTER_TEMPLATES, starterTemplate } from '../../../domain/template/starters';
import { MiB, refusal } from './support';

const context = { namespace: 'team-a', appName: 'shop' };
const defaults = { requestCpuMillis: 100, requestMemoryBytes: 64 * MiB, limitCpuMillis: 200, limitMemoryBytes: 128 * MiB };

describe('starter templates', () => {
  it('cover the base types users pick', () => {
    expect(STARTER_TEMPLATES.map((s) => s.id)).toEqual(['deployment', 'service', 'configmap', 'statefulset', 'job', 'ingress']);
  });

  describe.each(STARTER_TEMPLATES.map((s) => [s.id, s] as const))('%s', (_id, starter) => {
    it('has valid parameter definitions and a sound template', () => {
      expect(parameterDefinitionsSchema.parse(starter.parameters)).toEqual(starter.parameters);
      expect(() => checkTemplate(starter)).not.toThrow();
      expect(starter.title.en).not.toBe('');
      expect(starter.title['zh-CN']).not.toBe('');
    });

    it('renders with its defaults into allowed, labelled objects of the target namespace', () => {
      const { objects } = renderTemplate(starter, {}, context);
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        expect(ALLOWED_KINDS[object.kind]).toBe(object.apiVersion);
        expect(object.metadata).toMatchObject({
          name: 'shop',
          namespace: 'team-a',
          labels: { [MANAGED_BY_LABEL]: 'bosun', [INSTANCE_LABEL]: 'shop' },
        });
      }
      expect(() => requestedResources(objects, defaults)).not.toThrow();
    });

    it('uses every parameter it defines', () => {
      for (const parameter of starter.parameters) expect(starter.documents).toContain(`{{ .Values.${parameter.name} }}`);
    });
  });

  it('Deployment: typed values land where Kubernetes expects them', () => {
    const { objects } = renderTemplate(
      starterTemplate('deployment'),
      { image: 'registry.example.com/shop/web:2.1', replicas: '4', port: '8080', cpuLimit: '1', memoryLimit: '1024Mi' },
      context,
    );
    expect(objects[0]).toMatchObject({
      spec: {
        replicas: 4,
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.example.com/shop/web:2.1',
                ports: [{ containerPort: 8080 }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
              },
            ],
          },
        },
      },
    });
    expect(requestedResources(objects, defaults).requests).toEqual({ cpuMillis: 400, memoryBytes: 4 * 128 * MiB });
  });

  it('Deployment: refuses values outside the parameters, naming them', () => {
    const error = refusal(() => renderTemplate(starterTemplate('deployment'), { replicas: 'three', cpuRequest: '1000', containerName: 'My App' }, context));
    expect(error.message).toBe(
      'values.containerName: must match the pattern [a-z0-9]([-a-z0-9]*[a-z0-9])?, got "My App"; ' +
        'values.replicas: must be an integer between 0 and 50, got "three"; ' +
        'values.cpuRequest: must be a cpu quantity between 10m and 64, got "1000"',
    );
  });

  it('ConfigMap: a multi-line content stays one entry', () => {
    const { objects } = renderTemplate(starterTemplate('configmap'), { content: 'a: 1\nkind: ClusterRole\n' }, context);
    expect(objects).toHaveLength(1);
    expect(objects[0].data).toEqual({ 'application.properties': 'a: 1\nkind: ClusterRole\n' });
  });

  it('StatefulSet: brings its headless Service and a volume claim template', () => {
    const { objects } = renderTemplate(starterTemplate('statefulset'), { storageSize: '20Gi' }, context);
    expect(objects.map((o) => o.kind)).toEqual(['Service', 'StatefulSet']);
    expect(objects[1]).toMatchObject({
      spec: { serviceName: 'shop', volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '20Gi' } } } }] },
    });
    expect(relations(objects).map((r) => r.type)).toEqual(['selects']);
  });

  it('Job: the command stays one argument, whatever it contains', () => {
    const command = 'echo "a, b" && printf \'%s\\n\' x';
    const { objects } = renderTemplate(starterTemplate('job'), { command }, context);
    expect(objects[0]).toMatchObject({ spec: { template: { spec: { containers: [{ command: ['sh', '-c', command] }] } } } });
  });

  it('Deployment, Service and Ingress started from the starters fit together', () => {
    const documents = ['deployment', 'service', 'ingress'].map((id) => starterTemplate(id as 'deployment').documents).join('---\n');
    const parameters = [
      ...starterTemplate('deployment').parameters,
      ...starterTemplate('service').parameters.filter((p) => p.name !== 'port'),
      ...starterTemplate('ingress').parameters,
    ];
    const { objects } = renderTemplate({ documents, parameters }, {}, context);
    expect(relations(objects).map((r) => `${r.from.kind} ${r.type} ${r.to.kind}`)).toEqual([
      'Service selects Deployment',
      'Ingress routes Service',
    ]);
  });
});
