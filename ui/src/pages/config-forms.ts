/**
 * The small forms of the config and storage page (配置与存储), one per kind, and their mapping to
 * and from a Kubernetes object. Editing through a form starts from the live object and only
 * overwrites what the form shows, so fields the form does not know survive.
 */
export type ConfigKind = 'ConfigMap' | 'Secret' | 'Service' | 'Ingress' | 'PersistentVolumeClaim';
export const CONFIG_KINDS: ConfigKind[] = ['ConfigMap', 'Secret', 'Service', 'Ingress', 'PersistentVolumeClaim'];
export const TAB_OF: Record<ConfigKind, string> = { ConfigMap: 'configmaps', Secret: 'secrets', Service: 'services', Ingress: 'ingresses', PersistentVolumeClaim: 'pvcs' };
export const API_VERSION: Record<ConfigKind, string> = { ConfigMap: 'v1', Secret: 'v1', Service: 'v1', Ingress: 'networking.k8s.io/v1', PersistentVolumeClaim: 'v1' };

/** What the server shows for a Secret value; sent back unchanged, it keeps the value. */
export const MASK = '••••';

export interface Pair {
  key: string;
  value: string;
}
export interface PortRow {
  name: string;
  port: string;
  targetPort: string;
  protocol: string;
}

export interface ConfigForm {
  name: string;
  /** ConfigMap and Secret data; Service selector. */
  entries: Pair[];
  /** Secret type, Service type. */
  type: string;
  ports: PortRow[];
  selector: Pair[];
  host: string;
  path: string;
  pathType: string;
  service: string;
  servicePort: string;
  ingressClassName: string;
  size: string;
  storageClassName: string;
  accessMode: string;
}

type Json = Record<string, any>;

export function emptyForm(kind: ConfigKind): ConfigForm {
  return {
    name: '',
    entries: kind === 'ConfigMap' || kind === 'Secret' ? [{ key: '', value: '' }] : [],
    type: kind === 'Secret' ? 'Opaque' : kind === 'Service' ? 'ClusterIP' : '',
    ports: kind === 'Service' ? [{ name: '', port: '80', targetPort: '', protocol: 'TCP' }] : [],
    selector: kind === 'Service' ? [{ key: 'app', value: '' }] : [],
    host: '',
    path: '/',
    pathType: 'Prefix',
    service: '',
    servicePort: '80',
    ingressClassName: '',
    size: '1Gi',
    storageClassName: '',
    accessMode: 'ReadWriteOnce',
  };
}

const pairsOf = (map: unknown): Pair[] => Object.entries((map ?? {}) as Record<string, string>).map(([key, value]) => ({ key, value: String(value) }));
const mapOf = (pairs: Pair[]): Record<string, string> => Object.fromEntries(pairs.filter((p) => p.key.trim() !== '').map((p) => [p.key.trim(), p.value]));
/** A number typed in a form stays a number; anything else is sent as typed, for the server to judge. */
const num = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** Whether the form can show everything the object holds that it would otherwise drop. */
export function formFits(kind: ConfigKind, object: Json): boolean {
  if (kind === 'Ingress') {
    const rules = object.spec?.rules ?? [];
    return rules.length <= 1 && (rules[0]?.http?.paths ?? []).length <= 1 && !object.spec?.tls;
  }
  if (kind === 'ConfigMap') return !object.binaryData;
  return true;
}

export function formOf(kind: ConfigKind, object: Json): ConfigForm {
  const form = emptyForm(kind);
  form.name = object.metadata?.name ?? '';
  switch (kind) {
    case 'ConfigMap':
      form.entries = pairsOf(object.data);
      break;
    case 'Secret':
      form.type = object.type ?? 'Opaque';
      form.entries = pairsOf(object.stringData);
      break;
    case 'Service':
      form.type = object.spec?.type ?? 'ClusterIP';
      form.ports = (object.spec?.ports ?? []).map((p: Json) => ({ name: p.name ?? '', port: String(p.port ?? ''), targetPort: p.targetPort === undefined ? '' : String(p.targetPort), protocol: p.protocol ?? 'TCP' }));
      form.selector = pairsOf(object.spec?.selector);
      break;
    case 'Ingress': {
      const rule = object.spec?.rules?.[0] ?? {};
      const path = rule.http?.paths?.[0] ?? {};
      form.host = rule.host ?? '';
      form.path = path.path ?? '/';
      form.pathType = path.pathType ?? 'Prefix';
      form.service = path.backend?.service?.name ?? '';
      form.servicePort = String(path.backend?.service?.port?.number ?? path.backend?.service?.port?.name ?? '');
      form.ingressClassName = object.spec?.ingressClassName ?? '';
      break;
    }
    case 'PersistentVolumeClaim':
      form.size = object.spec?.resources?.requests?.storage ?? '';
      form.storageClassName = object.spec?.storageClassName ?? '';
      form.accessMode = object.spec?.accessModes?.[0] ?? 'ReadWriteOnce';
      break;
  }
  return form;
}

/** The object the form describes, over `base` (the live object when editing). */
export function manifestOf(kind: ConfigKind, form: ConfigForm, base?: Json): Json {
  const object: Json = structuredClone(base ?? {});
  object.apiVersion = API_VERSION[kind];
  object.kind = kind;
  object.metadata = { ...(object.metadata ?? {}), name: form.name.trim() };
  switch (kind) {
    case 'ConfigMap':
      object.data = mapOf(form.entries);
      break;
    case 'Secret':
      object.type = form.type || 'Opaque';
      delete object.data;
      object.stringData = mapOf(form.entries);
      break;
    case 'Service': {
      const spec = { ...(object.spec ?? {}) };
      spec.type = form.type || 'ClusterIP';
      spec.ports = form.ports
        .filter((p) => p.port.trim() !== '')
        .map((p) => ({
          ...(p.name.trim() ? { name: p.name.trim() } : {}),
          port: num(p.port),
          ...(p.targetPort.trim() ? { targetPort: num(p.targetPort) } : {}),
          protocol: p.protocol || 'TCP',
        }));
      spec.selector = mapOf(form.selector);
      object.spec = spec;
      break;
    }
    case 'Ingress': {
      const port = /^\d+$/.test(form.servicePort.trim()) ? { number: Number(form.servicePort.trim()) } : { name: form.servicePort.trim() };
      const rule: Json = { http: { paths: [{ path: form.path, pathType: form.pathType, backend: { service: { name: form.service.trim(), port } } }] } };
      if (form.host.trim()) rule.host = form.host.trim();
      object.spec = { ...(object.spec ?? {}), rules: [rule] };
      if (form.ingressClassName.trim()) object.spec.ingressClassName = form.ingressClassName.trim();
      else delete object.spec.ingressClassName;
      break;
    }
    case 'PersistentVolumeClaim': {
      const spec = { ...(object.spec ?? {}) };
      spec.accessModes = [form.accessMode];
      spec.resources = { ...(spec.resources ?? {}), requests: { ...(spec.resources?.requests ?? {}), storage: form.size.trim() } };
      if (form.storageClassName.trim()) spec.storageClassName = form.storageClassName.trim();
      else delete spec.storageClassName;
      object.spec = spec;
      break;
    }
  }
  return object;
}
