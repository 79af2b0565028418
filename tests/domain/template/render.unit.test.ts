import { describe, expect, it } from 'vitest';
import type { ParameterDefinition } from '../../../domain/template/parameters';
import { checkTemplate, renderTemplate, type TemplateSource } from '../../../domain/template/render';
import { problemMessages, refusal } from './support';

const context = { namespace: 'team-a', appName: 'shop' };

const parameters: ParameterDefinition[] = [
  { name: 'image', type: 'image', required: true, description: '', default: 'nginx:1.27' },
  { name: 'replicas', type: 'int', required: true, description: '', default: 2, validation: { min: 1, max: 50 } },
  { name: 'debug', type: 'bool', required: false, description: '', default: false },
  { name: 'cpu', type: 'quantity', required: false, description: '', default: '0.5', validation: { kind: 'cpu' } },
  { name: 'greeting', type: 'string', required: false, description: '', default: 'hello' },
  { name: 'optional', type: 'string', required: false, description: '' },
];

function template(documents: string): TemplateSource {
  return { documents, parameters };
}

function render(documents: string, values: Record<string, unknown> = {}, ctx = context) {
  return renderTemplate(template(documents), values, ctx).objects;
}

/** Renders a ConfigMap whose `data` is the given YAML, and returns that data. */
function data(yaml: string, values: Record<string, unknown> = {}) {
  const [object] = render(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n${yaml}`, values);
  return object.data as Record<string, unknown>;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          resources:
            requests: {cpu: {{ .Values.cpu }}}
`;

describe('renderTemplate: substitution', () => {
  it('gives a plain scalar that is exactly one placeholder the typed value', () => {
    const [object] = render(deployment, { replicas: '3' });
    expect(object).toMatchObject({
      metadata: { name: 'shop-web' },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ image: 'nginx:1.27', resources: { requests: { cpu: '500m' } } }] } },
      },
    });
  });

  it('keeps ints as ints and bools as bools, and makes strings of quoted or embedded placeholders', () => {
    const yaml = [
      '  int: {{ .Values.replicas }}',
      '  bool: {{ .Values.debug }}',
      '  quoted: "{{ .Values.replicas }}"',
      "  single: '{{ .Values.debug }}'",
      '  tagged: !!str {{ .Values.replicas }}',
      '  embedded: v{{ .Values.replicas }}-{{ .Values.debug }}',
      '  spaced: {{.Values.replicas}}',
      '  block: |',
      '    replicas={{ .Values.replicas }}',
      '  release: {{ .Release.Name }}.{{ .Release.Namespace }}',
    ].join('\n');
    expect(data(yaml, { replicas: 7, debug: true })).toEqual({
      int: 7,
      bool: true,
      quoted: '7',
      single: 'true',
      tagged: '7',
      embedded: 'v7-true',
      spaced: 7,
      block: 'replicas=7\n',
      release: 'shop.team-a',
    });
  });

  it('substitutes in keys and in flow collections', () => {
    expect(data('  {{ .Values.greeting }}: x\n  list: [{{ .Values.replicas }}, "{{ .Values.greeting }}"]', { greeting: 'hi' })).toEqual({
      hi: 'x',
      list: [2, 'hi'],
    });
  });

  it('renders an optional parameter without value as null alone and as nothing inside text', () => {
    expect(data('  alone: {{ .Values.optional }}\n  inside: "[{{ .Values.optional }}]"')).toEqual({ alone: null, inside: '[]' });
  });

  it('writes {{ "literal" }} out as text, so a ConfigMap can hold Go templates', () => {
    expect(data('  rule: "{{ "{{ $labels.instance }}" }} is down"')).toEqual({ rule: '{{ $labels.instance }} is down' });
  });

  it('substitutes through anchors and aliases', () => {
    expect(data('  a: &v {{ .Values.replicas }}\n  b: *v')).toEqual({ a: 2, b: 2 });
  });
});

describe('renderTemplate: values cannot inject YAML', () => {
  const injections = ['x\nkind: ClusterRole', 'a: b', '{{ .Values.replicas }}', '"], evil: [', '---\napiVersion: v1\nkind: Namespace', '&a *b !!js/function'];

  it.each(injections)('keeps %j one string scalar, wherever it lands', (value) => {
    const yaml = [
      '  plain: {{ .Values.greeting }}',
      '  quoted: "{{ .Values.greeting }}"',
      '  inside: pre {{ .Values.greeting }} post',
      '  flow: [{{ .Values.greeting }}]',
      '  block: |',
      '    {{ .Values.greeting }}',
    ].join('\n');
    const objects = render(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n${yaml}`, { greeting: value });
    expect(objects).toHaveLength(1);
    expect(objects[0].kind).toBe('ConfigMap');
    expect(objects[0].data).toEqual({
      plain: value,
      quoted: value,
      inside: `pre ${value} post`,
      flow: [value],
      block: `${value}\n`,
    });
  });

  it('cannot change the kind or add fields to metadata', () => {
    const [object] = render('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.greeting }}\n', { greeting: 'cfg' });
    expect(Object.keys(object.metadata).sort()).toEqual(['labels', 'name', 'namespace']);
    const error = refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.greeting }}\n', { greeting: 'cfg\nnamespace: kube-system' }));
    expect(error.message).toMatch(/^documents\[0\]\.metadata\.name: Invalid value: "cfg\\nnamespace: kube-system": a lowercase RFC 1123 label/);
  });
});

describe('renderTemplate: namespace and labels', () => {
  it('puts objects without a namespace into the target namespace', () => {
    const [object] = render(deployment);
    expect(object.metadata.namespace).toBe('team-a');
  });

  it('accepts the target namespace written out, also as a placeholder', () => {
    expect(render('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team-a}\n')[0].metadata.namespace).toBe('team-a');
    expect(render('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: {{ .Release.Namespace }}}\n')[0].metadata.namespace).toBe(
      'team-a',
    );
  });

  it('refuses another namespace', () => {
    const error = refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kube-system}\n'));
    expect(error.message).toBe('documents[0].metadata.namespace: must be the application\'s namespace "team-a" or left out, got "kube-system"');
    expect(error.field).toBe('documents[0].metadata.namespace');
  });

  it("adds Bosun's labels to metadata and to pod templates, keeping the author's", () => {
    const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  labels: {team: a, app.kubernetes.io/managed-by: helm}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: busybox}]
`;
    const [web, nightly] = render(`${deployment}---\n${cronJob}`);
    const bosun = { 'app.kubernetes.io/managed-by': 'bosun', 'app.kubernetes.io/instance': 'shop' };
    expect(web.metadata.labels).toEqual(bosun);
    expect(web).toMatchObject({ spec: { template: { metadata: { labels: { app: 'web', ...bosun } } }, selector: { matchLabels: { app: 'web' } } } });
    expect(nightly.metadata.labels).toEqual({ team: 'a', ...bosun });
    expect(nightly).toMatchObject({ spec: { jobTemplate: { spec: { template: { metadata: { labels: bosun } } } } } });
  });

  it('refuses a label value that is not a string, hinting at quotes', () => {
    const error = refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {version: {{ .Values.replicas }}}\n'));
    expect(error.message).toBe(
      'documents[0].metadata.labels.version: must be a string, got 2 (quote the value in the YAML to keep it a string)',
    );
  });
});

describe('renderTemplate: refusals', () => {
  it('refuses values the parameters do not accept, naming the parameter', () => {
    expect(refusal(() => render(deployment, { replicas: 'three' })).message).toBe(
      'values.replicas: must be an integer between 1 and 50, got "three"',
    );
    expect(refusal(() => render(deployment, { cpu: 'fast' })).message).toBe(
      'values.cpu: "fast" is not a valid CPU quantity (e.g. 500m, 2, 0.5)',
    );
    expect(refusal(() => render(deployment, { image: 'Nginx' })).field).toBe('values.image');
    expect(refusal(() => renderTemplate({ documents: deployment, parameters: [{ ...parameters[0], default: undefined }, ...parameters.slice(1)] }, {}, context)).message).toBe(
      'values.image: is required',
    );
  });

  it('refuses YAML that does not parse, with line and column', () => {
    const error = refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ .Values.greeting }}" x\n'));
    expect(error.message).toBe('documents[0]: line 4, column 34: YAML does not parse: Unexpected scalar at node end');
    expect(error.details?.problems).toEqual([expect.objectContaining({ line: 4, column: 34 })]);
  });

  it('refuses a duplicate key and an unclosed flow collection', () => {
    expect(refusal(() => render('a: 1\na: 2\n')).message).toMatch(/^documents\[0\]: line 2, column 1: YAML does not parse: Map keys must be unique/);
    expect(refusal(() => render('a: 1\n---\nb: [1, 2\n')).message).toMatch(/^documents\[1\]: line \d+, column \d+: YAML does not parse: /);
  });

  it('refuses an unknown placeholder, naming it, its document and line', () => {
    const error = refusal(() => render(`${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.colour }}\n`));
    expect(error.message).toBe(
      'documents[1]: line 22, column 9: unknown placeholder {{ .Values.colour }}: no parameter named "colour" ' +
        '(parameters: image, replicas, debug, cpu, greeting, optional)',
    );
    expect(error.details?.problems).toEqual([expect.objectContaining({ placeholder: '{{ .Values.colour }}', line: 22 })]);
  });

  it.each(['{{ .Values.greeting | quote }}', '{{- .Values.greeting }}', '{{ .Release.Service }}', '{{ .values.greeting }}', '{{ if .Values.debug }}'])(
    'refuses the unsupported placeholder %s',
    (placeholder) => {
      const error = refusal(() => data(`  a: ${placeholder}`));
      expect(error.message).toContain(`line 6, column 6: unsupported placeholder ${placeholder}: only {{ .Values.<name> }}`);
    },
  );

  it('refuses a placeholder left open', () => {
    const error = refusal(() => data('  a: "{{ .Values.greeting"'));
    expect(problemMessages(error)).toContain('documents[0]: line 6, column 7: "{{" is not closed by "}}" on the same line');
  });

  it.each([
    ['ClusterRole', 'rbac.authorization.k8s.io/v1', 0],
    ['Namespace', 'v1', 0],
    ['RoleBinding', 'rbac.authorization.k8s.io/v1', 0],
    ['Pod', 'v1', 0],
    ['CustomResourceDefinition', 'apiextensions.k8s.io/v1', 0],
  ])('refuses the kind %s, naming it and the document', (kind, apiVersion) => {
    const error = refusal(() => render(`${deployment}---\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`));
    expect(error.message).toBe(
      `documents[1]: kind ${kind} is not allowed in an application template (allowed: ConfigMap, Secret, PersistentVolumeClaim, ` +
        'Service, Deployment, StatefulSet, Job, CronJob, HorizontalPodAutoscaler, Ingress)',
    );
    expect(error.details?.problems).toEqual([expect.objectContaining({ kind })]);
  });

  it('refuses an allowed kind under another apiVersion', () => {
    expect(refusal(() => render(deployment.replace('apps/v1', 'extensions/v1beta1'))).message).toBe(
      'documents[0].apiVersion: Deployment must have apiVersion apps/v1, got extensions/v1beta1',
    );
    expect(refusal(() => render('apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\n')).field).toBe(
      'documents[0].apiVersion',
    );
  });

  it('refuses objects without apiVersion, kind or a DNS-1123 name', () => {
    expect(problemMessages(refusal(() => render('metadata: {name: a}\n')))).toEqual([
      'documents[0].apiVersion: is required',
      'documents[0].kind: is required',
    ]);
    expect(refusal(() => render('apiVersion: v1\nkind: ConfigMap\n')).message).toBe('documents[0].metadata: is required');
    expect(refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {}}\n')).message).toBe('documents[0].metadata.name: is required');
    expect(refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: My_Config}\n')).message).toMatch(
      /^documents\[0\]\.metadata\.name: Invalid value: "My_Config": a lowercase RFC 1123 label/,
    );
    expect(refusal(() => render('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Values.replicas }}}\n')).message).toBe(
      'documents[0].metadata.name: must be a string, got 2',
    );
  });

  it('refuses a document that is not a mapping, and a workload without pod template', () => {
    expect(refusal(() => render('- a\n- b\n')).message).toBe(
      'documents[0]: must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got a list',
    );
    expect(refusal(() => render('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1}\n')).message).toBe(
      'documents[0].spec.template: is required: a Deployment needs a pod template',
    );
  });

  it('refuses two objects of one kind with one name', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n';
    expect(refusal(() => render(`${cm}---\napiVersion: v1\nkind: Service\nmetadata: {name: cfg}\n---\n${cm}`)).message).toBe(
      'documents[2]: duplicate ConfigMap "cfg" (also in documents[0])',
    );
  });

  it('refuses a template without any object', () => {
    expect(refusal(() => render('# nothing here\n')).message).toBe('documents: must contain at least one Kubernetes object');
  });

  it('refuses an invalid context', () => {
    expect(refusal(() => render(deployment, {}, { namespace: 'Team A', appName: 'shop' })).field).toBe('namespace');
    expect(refusal(() => render(deployment, {}, { namespace: 'team-a', appName: '' })).message).toBe('appName: Required value');
  });

  it('lists problems of several documents together', () => {
    const error = refusal(() =>
      render('apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: other}\n'),
    );
    expect(error.field).toBe('documents[0]');
    expect(problemMessages(error)).toHaveLength(2);
  });
});

describe('renderTemplate: documents', () => {
  it('skips empty documents and keeps the order of the others', () => {
    const objects = render('---\n# comment only\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/s', 'ConfigMap/c']);
  });
});

describe('renderTemplate: prototype safety', () => {
  it('keeps __proto__ keys as plain data', () => {
    const [object] = render('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {__proto__: x}\n__proto__: {polluted: yes}\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.hasOwn(object, '__proto__')).toBe(true);
    expect(Object.hasOwn(object.metadata.labels, '__proto__')).toBe(true);
  });
});

describe('checkTemplate', () => {
  it('accepts a template whose YAML and placeholders are sound', () => {
    expect(() => checkTemplate(template(deployment))).not.toThrow();
  });

  it('refuses an unknown placeholder before any value is given', () => {
    expect(refusal(() => checkTemplate(template('a: {{ .Values.nope }}\n'))).message).toMatch(/unknown placeholder \{\{ \.Values\.nope \}\}/);
  });
});
