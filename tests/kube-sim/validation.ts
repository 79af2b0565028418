/** Validation with kube-apiserver's field paths and message wording. */
import { invalidObject, type StatusCause } from './errors';
import type { ResourceDef } from './registry';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export const required = (field: string, detail = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
  field,
});

export const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : goValue(value)}: ${detail}`,
  field,
});

export const notSupported = (field: string, value: string, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  field,
});

function goValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Messages for a name under a rule, [] when valid. */
export function nameErrors(name: string, rule: ResourceDef['nameRule']): string[] {
  const errs: string[] = [];
  switch (rule) {
    case 'label':
      if (name.length > 63) errs.push('must be no more than 63 characters');
      if (!DNS1123_LABEL.test(name)) errs.push(DNS1123_LABEL_MSG);
      break;
    case 'dns1035':
      if (name.length > 63) errs.push('must be no more than 63 characters');
      if (!DNS1035_LABEL.test(name)) errs.push(DNS1035_LABEL_MSG);
      break;
    case 'subdomain':
      if (name.length > 253) errs.push('must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(name)) errs.push(DNS1123_SUBDOMAIN_MSG);
      break;
    case 'path':
      if (name === '.' || name === '..') errs.push(`may not be '${name}'`);
      else if (name.includes('/')) errs.push("may not contain '/'");
      else if (name.includes('%')) errs.push("may not contain '%'");
      break;
  }
  return errs;
}

function validateMeta(def: ResourceDef, obj: any, causes: StatusCause[]) {
  const md = obj.metadata ?? {};
  if (!md.name && !md.generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  else if (md.name) for (const e of nameErrors(md.name, def.nameRule)) causes.push(invalidValue('metadata.name', md.name, e));
  if (def.namespaced && !md.namespace) causes.push(required('metadata.namespace'));
  for (const [k, v] of Object.entries(md.labels ?? {})) {
    if (typeof v !== 'string') causes.push(invalidValue(`metadata.labels`, v, 'label values must be strings'));
    else if (v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))
      causes.push(
        invalidValue(
          `metadata.labels`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    void k;
  }
  for (const [i, o] of (md.ownerReferences ?? []).entries()) {
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (!o?.[f]) causes.push(required(`metadata.ownerReferences[${i}].${f}`));
  }
}

function validatePodSpec(spec: any, path: string, causes: StatusCause[]) {
  if (!spec || typeof spec !== 'object') {
    causes.push(required(`${path}.containers`));
    return;
  }
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required(`${path}.containers`));
  const seen = new Set<string>();
  const check = (list: any[], field: string) =>
    list.forEach((c, i) => {
      const p = `${path}.${field}[${i}]`;
      if (!c?.name) causes.push(required(`${p}.name`));
      else {
        for (const e of nameErrors(c.name, 'label')) causes.push(invalidValue(`${p}.name`, c.name, e));
        if (seen.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(c.name)}`, field: `${p}.name` });
        seen.add(c.name);
      }
      if (!c?.image) causes.push(required(`${p}.image`));
      (c?.ports ?? []).forEach((port: any, j: number) => {
        const cp = port?.containerPort;
        if (cp === undefined) causes.push(required(`${p}.ports[${j}].containerPort`));
        else if (typeof cp !== 'number' || cp < 1 || cp > 65535) causes.push(invalidValue(`${p}.ports[${j}].containerPort`, cp, 'must be between 1 and 65535, inclusive'));
      });
    });
  if (Array.isArray(containers)) check(containers, 'containers');
  if (Array.isArray(spec.initContainers)) check(spec.initContainers, 'initContainers');
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy))
    causes.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
}

function validateSelectorTemplate(obj: any, causes: StatusCause[], requireSelector = true) {
  const spec = obj.spec;
  if (!spec) {
    causes.push(required('spec.selector'));
    causes.push(required('spec.template.spec.containers'));
    return;
  }
  if (requireSelector && !spec.selector) causes.push(required('spec.selector'));
  else if (spec.selector && !spec.selector.matchLabels && !spec.selector.matchExpressions)
    causes.push(invalidValue('spec.selector', spec.selector, 'empty selector is invalid for deployment'));
  const tmplLabels = spec.template?.metadata?.labels ?? {};
  if (spec.selector?.matchLabels) {
    const ok = Object.entries(spec.selector.matchLabels).every(([k, v]) => tmplLabels[k] === v);
    if (!ok) causes.push(invalidValue('spec.template.metadata.labels', tmplLabels, '`selector` does not match template `labels`'));
  }
  validatePodSpec(spec.template?.spec, 'spec.template.spec', causes);
  if (spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0))
    causes.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
}

/** Kind-specific rules. */
const KIND_RULES: Record<string, (obj: any, causes: StatusCause[]) => void> = {
  Pod: (o, c) => validatePodSpec(o.spec, 'spec', c),
  Deployment: (o, c) => validateSelectorTemplate(o, c),
  ReplicaSet: (o, c) => validateSelectorTemplate(o, c),
  StatefulSet: (o, c) => validateSelectorTemplate(o, c),
  DaemonSet: (o, c) => validateSelectorTemplate(o, c),
  Job: (o, c) => validatePodSpec(o.spec?.template?.spec, 'spec.template.spec', c),
  CronJob: (o, c) => {
    if (!o.spec?.schedule) c.push(required('spec.schedule'));
    validatePodSpec(o.spec?.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec', c);
  },
  ConfigMap: (o, c) => {
    for (const k of [...Object.keys(o.data ?? {}), ...Object.keys(o.binaryData ?? {})])
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) c.push(invalidValue('data', k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
  },
  Service: (o, c) => {
    const ports = o.spec?.ports;
    const type = o.spec?.type ?? 'ClusterIP';
    if (type !== 'ExternalName' && o.spec?.clusterIP !== 'None' && (!Array.isArray(ports) || ports.length === 0)) c.push(required('spec.ports'));
    (ports ?? []).forEach((p: any, i: number) => {
      if (p?.port === undefined) c.push(required(`spec.ports[${i}].port`));
      if ((ports.length > 1) && !p?.name) c.push(required(`spec.ports[${i}].name`));
    });
    if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type))
      c.push(notSupported('spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  },
  RoleBinding: (o, c) => {
    if (!o.roleRef) c.push(required('roleRef'));
  },
  ClusterRoleBinding: (o, c) => {
    if (!o.roleRef) c.push(required('roleRef'));
  },
  CustomResourceDefinition: (o, c) => {
    const s = o.spec ?? {};
    if (!s.group) c.push(required('spec.group'));
    if (!s.names?.plural) c.push(required('spec.names.plural'));
    if (!s.names?.kind) c.push(required('spec.names.kind'));
    if (!['Namespaced', 'Cluster'].includes(s.scope)) c.push(notSupported('spec.scope', s.scope ?? '', ['Cluster', 'Namespaced']));
    if (!Array.isArray(s.versions) || s.versions.length === 0) c.push(required('spec.versions'));
    else if (s.versions.filter((v: any) => v.storage).length !== 1)
      c.push(invalidValue('spec.versions', s.versions.map((v: any) => v.name), 'must have exactly one version marked as storage version'));
    if (s.group && s.names?.plural && o.metadata?.name !== `${s.names.plural}.${s.group}`)
      c.push(invalidValue('metadata.name', o.metadata?.name ?? '', `must be spec.names.plural+"."+spec.group`));
  },
};

/** Throws 422 Invalid when the object is invalid. */
export function validate(def: ResourceDef, obj: any, extra: StatusCause[] = []) {
  const causes: StatusCause[] = [];
  validateMeta(def, obj, causes);
  KIND_RULES[def.custom ? '' : def.kind]?.(obj, causes);
  causes.push(...extra);
  if (causes.length) throw invalidObject(def.group, def.kind, obj.metadata?.name ?? '', causes);
}

// ---- update rules: immutable fields ----

const immutable = (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: field is immutable`, field });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const POD_UPDATE_MESSAGE =
  'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function podSpecMutable(spec: any) {
  const s = structuredClone(spec ?? {});
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) if (c && typeof c === 'object') delete c.image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  delete s.schedulingGates;
  if (!spec?.nodeName) delete s.nodeName; // binding sets it once
  return s;
}

const UPDATE_RULES: Record<string, (o: any, old: any, c: StatusCause[]) => void> = {
  Pod: (o, old, c) => {
    const a = podSpecMutable(old.spec);
    const b = podSpecMutable(o.spec);
    if (!old.spec?.nodeName) delete b.nodeName;
    if (!same(a, b)) c.push({ reason: 'FieldValueForbidden', message: POD_UPDATE_MESSAGE, field: 'spec' });
  },
  Deployment: (o, old, c) => {
    if (!same(o.spec?.selector, old.spec?.selector)) c.push(immutable('spec.selector', o.spec?.selector));
  },
  ReplicaSet: (o, old, c) => {
    if (!same(o.spec?.selector, old.spec?.selector)) c.push(immutable('spec.selector', o.spec?.selector));
  },
  DaemonSet: (o, old, c) => {
    if (!same(o.spec?.selector, old.spec?.selector)) c.push(immutable('spec.selector', o.spec?.selector));
  },
  StatefulSet: (o, old, c) => {
    const strip = (s: any) => {
      const { replicas: _r, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, ordinals: _o, revisionHistoryLimit: _h, ...rest } = s ?? {};
      return rest;
    };
    if (!same(strip(o.spec), strip(old.spec)))
      c.push({ reason: 'FieldValueForbidden', message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", field: 'spec' });
  },
  Job: (o, old, c) => {
    if (!same(o.spec?.selector, old.spec?.selector)) c.push(immutable('spec.selector', o.spec?.selector));
    if (!same(o.spec?.template, old.spec?.template)) c.push(immutable('spec.template', o.spec?.template));
    if (o.spec?.completions !== old.spec?.completions) c.push(immutable('spec.completions', o.spec?.completions));
  },
  Service: (o, old, c) => {
    const a = old.spec?.clusterIP;
    const b = o.spec?.clusterIP;
    if (a && b !== undefined && a !== b && old.spec?.type !== 'ExternalName' && o.spec?.type !== 'ExternalName')
      c.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(b)}: field is immutable`, field: 'spec.clusterIPs[0]' });
  },
  ConfigMap: (o, old, c) => {
    if (old.immutable === true) {
      if (!same(o.data, old.data)) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' });
      if (!same(o.binaryData, old.binaryData)) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'binaryData' });
      if (o.immutable !== true) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'immutable' });
    }
  },
  Secret: (o, old, c) => {
    if (o.type !== old.type) c.push(immutable('type', o.type));
    if (old.immutable === true) {
      if (!same(o.data, old.data)) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' });
      if (o.immutable !== true) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'immutable' });
    }
  },
  RoleBinding: (o, old, c) => {
    if (!same(o.roleRef, old.roleRef)) c.push(immutable('roleRef', o.roleRef));
  },
  ClusterRoleBinding: (o, old, c) => {
    if (!same(o.roleRef, old.roleRef)) c.push(immutable('roleRef', o.roleRef));
  },
  PersistentVolumeClaim: (o, old, c) => {
    const strip = (s: any) => {
      const { resources: _r, volumeName: _v, volumeAttributesClassName: _a, ...rest } = s ?? {};
      return rest;
    };
    if (!same(strip(o.spec), strip(old.spec))) c.push({ reason: 'FieldValueForbidden', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims', field: 'spec' });
  },
};

/** Update-only rules (immutable fields); throws 422 like kube-apiserver's ValidateUpdate. */
export function validateUpdate(def: ResourceDef, obj: any, old: any) {
  const causes: StatusCause[] = [];
  if (!def.custom) UPDATE_RULES[def.kind]?.(obj, old, causes);
  if (causes.length) throw invalidObject(def.group, def.kind, obj.metadata?.name ?? '', causes);
}
