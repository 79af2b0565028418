/**
 * Built-in starter templates (基础模板), the base types a user picks when adding YAML to a base
 * application. Every object is named after the application (`{{ .Release.Name }}`) and selects
 * pods by `app.kubernetes.io/name`, so a Deployment, Service and Ingress started from these fit
 * together without edits.
 */
import type { ParameterDefinition } from './parameters';

export interface StarterTemplate {
  id: 'deployment' | 'service' | 'configmap' | 'statefulset' | 'job' | 'ingress';
  title: { en: string; 'zh-CN': string };
  description: string;
  documents: string;
  parameters: ParameterDefinition[];
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

function image(fallback: string): ParameterDefinition {
  return { name: 'image', type: 'image', required: true, description: 'Container image, e.g. registry.example.com/team/app:1.0', default: fallback };
}

const containerName: ParameterDefinition = {
  name: 'containerName',
  type: 'string',
  required: true,
  description: 'Name of the container (a DNS label)',
  default: 'app',
  validation: { pattern: DNS_LABEL, maxLength: 63 },
};

function port(name: string, fallback: number, description: string): ParameterDefinition {
  return { name, type: 'int', required: true, description, default: fallback, validation: { min: 1, max: 65535 } };
}

function replicas(fallback: number): ParameterDefinition {
  return { name: 'replicas', type: 'int', required: true, description: 'Number of pods', default: fallback, validation: { min: 0, max: 50 } };
}

/** cpuRequest, memoryRequest, cpuLimit, memoryLimit. */
function resourceParameters(cpu: [string, string], memory: [string, string]): ParameterDefinition[] {
  const quantity = (name: string, kind: 'cpu' | 'memory', fallback: string, description: string): ParameterDefinition => ({
    name,
    type: 'quantity',
    required: true,
    description,
    default: fallback,
    validation: kind === 'cpu' ? { kind, min: '10m', max: '64' } : { kind, min: '16Mi', max: '256Gi' },
  });
  return [
    quantity('cpuRequest', 'cpu', cpu[0], 'CPU each container is guaranteed (e.g. 100m, 0.5, 2)'),
    quantity('memoryRequest', 'memory', memory[0], 'Memory each container is guaranteed (e.g. 128Mi, 1Gi)'),
    quantity('cpuLimit', 'cpu', cpu[1], 'CPU each container may use at most'),
    quantity('memoryLimit', 'memory', memory[1], 'Memory each container may use at most'),
  ];
}

const RESOURCES_YAML = `resources:
            requests:
              cpu: {{ .Values.cpuRequest }}
              memory: {{ .Values.memoryRequest }}
            limits:
              cpu: {{ .Values.cpuLimit }}
              memory: {{ .Values.memoryLimit }}`;

const deployment: StarterTemplate = {
  id: 'deployment',
  title: { en: 'Deployment', 'zh-CN': '无状态负载 (Deployment)' },
  description: 'Stateless pods from one image, with replicas, a container port and resource requests and limits.',
  documents: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: {{ .Values.containerName }}
          image: {{ .Values.image }}
          ports:
            - containerPort: {{ .Values.port }}
          ${RESOURCES_YAML}
`,
  parameters: [
    image('nginx:1.27-alpine'),
    containerName,
    replicas(1),
    port('port', 80, 'Port the container listens on'),
    ...resourceParameters(['100m', '500m'], ['128Mi', '256Mi']),
  ],
};

const service: StarterTemplate = {
  id: 'service',
  title: { en: 'Service', 'zh-CN': '服务 (Service)' },
  description: "A stable address in front of the application's pods.",
  documents: `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  type: {{ .Values.type }}
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
    - name: main
      port: {{ .Values.port }}
      targetPort: {{ .Values.targetPort }}
`,
  parameters: [
    {
      name: 'type',
      type: 'enum',
      required: true,
      description: 'ClusterIP: inside the cluster only; NodePort: also on every node',
      default: 'ClusterIP',
      validation: { options: ['ClusterIP', 'NodePort'] },
    },
    port('port', 80, 'Port the Service listens on'),
    port('targetPort', 80, 'Port of the pods it forwards to'),
  ],
};

const configMap: StarterTemplate = {
  id: 'configmap',
  title: { en: 'ConfigMap', 'zh-CN': '配置项 (ConfigMap)' },
  description: 'One configuration file, to mount into pods or read into their environment.',
  documents: `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  {{ .Values.fileName }}: {{ .Values.content }}
`,
  parameters: [
    {
      name: 'fileName',
      type: 'string',
      required: true,
      description: 'Key of the entry, the file name when mounted',
      default: 'application.properties',
      validation: { pattern: '[-._a-zA-Z0-9]+', maxLength: 253 },
    },
    { name: 'content', type: 'string', required: false, description: 'Content of the file', default: 'greeting=hello\n' },
  ],
};

const statefulSet: StarterTemplate = {
  id: 'statefulset',
  title: { en: 'StatefulSet with storage', 'zh-CN': '有状态负载 (StatefulSet)' },
  description: 'Pods with stable names, each with its own persistent volume, behind a headless Service.',
  documents: `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
    - name: main
      port: {{ .Values.port }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}
spec:
  serviceName: {{ .Release.Name }}
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: {{ .Values.containerName }}
          image: {{ .Values.image }}
          ports:
            - containerPort: {{ .Values.port }}
          volumeMounts:
            - name: data
              mountPath: {{ .Values.mountPath }}
          ${RESOURCES_YAML}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: {{ .Values.storageSize }}
`,
  parameters: [
    image('redis:7.4-alpine'),
    containerName,
    replicas(1),
    port('port', 6379, 'Port the container listens on'),
    {
      name: 'mountPath',
      type: 'string',
      required: true,
      description: 'Where the volume is mounted in the container',
      default: '/data',
      validation: { pattern: '/[^\\s]*', maxLength: 1024 },
    },
    {
      name: 'storageSize',
      type: 'quantity',
      required: true,
      description: 'Size of each pod’s volume (e.g. 1Gi, 20Gi)',
      default: '1Gi',
      validation: { kind: 'storage', min: '1Mi', max: '16Ti' },
    },
    ...resourceParameters(['100m', '500m'], ['128Mi', '256Mi']),
  ],
};

const job: StarterTemplate = {
  id: 'job',
  title: { en: 'Job', 'zh-CN': '任务 (Job)' },
  description: 'Runs a shell command to completion; containers get the namespace’s default resources.',
  documents: `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}
spec:
  backoffLimit: {{ .Values.backoffLimit }}
  parallelism: {{ .Values.parallelism }}
  completions: {{ .Values.completions }}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: {{ .Values.containerName }}
          image: {{ .Values.image }}
          command: ["sh", "-c", "{{ .Values.command }}"]
`,
  parameters: [
    image('busybox:1.36'),
    containerName,
    { name: 'command', type: 'string', required: true, description: 'Shell command to run', default: 'echo hello from Bosun', validation: { minLength: 1 } },
    { name: 'completions', type: 'int', required: true, description: 'Successful runs needed', default: 1, validation: { min: 1, max: 100 } },
    { name: 'parallelism', type: 'int', required: true, description: 'Pods running at once', default: 1, validation: { min: 1, max: 20 } },
    { name: 'backoffLimit', type: 'int', required: true, description: 'Retries before the Job fails', default: 3, validation: { min: 0, max: 20 } },
  ],
};

const ingress: StarterTemplate = {
  id: 'ingress',
  title: { en: 'Ingress', 'zh-CN': '应用路由 (Ingress)' },
  description: "Routes HTTP traffic for a host and path to the application's Service.",
  documents: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}
spec:
  ingressClassName: {{ .Values.ingressClassName }}
  rules:
    - host: {{ .Values.host }}
      http:
        paths:
          - path: {{ .Values.path }}
            pathType: {{ .Values.pathType }}
            backend:
              service:
                name: {{ .Release.Name }}
                port:
                  number: {{ .Values.servicePort }}
`,
  parameters: [
    {
      name: 'host',
      type: 'string',
      required: true,
      description: 'Host name clients use',
      default: 'app.example.com',
      validation: { pattern: `${DNS_LABEL}(\\.${DNS_LABEL})*`, maxLength: 253 },
    },
    { name: 'path', type: 'string', required: true, description: 'URL path prefix', default: '/', validation: { pattern: '/[^\\s]*' } },
    {
      name: 'pathType',
      type: 'enum',
      required: true,
      description: 'How the path matches',
      default: 'Prefix',
      validation: { options: ['Prefix', 'Exact', 'ImplementationSpecific'] },
    },
    port('servicePort', 80, "Port of the application's Service"),
    {
      name: 'ingressClassName',
      type: 'string',
      required: true,
      description: 'Ingress controller class',
      default: 'nginx',
      validation: { pattern: DNS_LABEL, maxLength: 63 },
    },
  ],
};

export const STARTER_TEMPLATES: readonly StarterTemplate[] = [deployment, service, configMap, statefulSet, job, ingress];

export function starterTemplate(id: StarterTemplate['id']): StarterTemplate {
  const starter = STARTER_TEMPLATES.find((s) => s.id === id);
  if (!starter) throw new Error(`no starter template "${id}"`);
  return starter;
}
