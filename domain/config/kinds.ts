/**
 * The namespaced configuration and storage objects a user manages directly (配置与存储): which
 * kinds, with the one apiVersion Bosun accepts for each, and how their names are checked.
 */
export const CONFIG_KINDS = {
  ConfigMap: { apiVersion: 'v1', slug: 'configmap', plural: 'configmaps' },
  Secret: { apiVersion: 'v1', slug: 'secret', plural: 'secrets' },
  Service: { apiVersion: 'v1', slug: 'service', plural: 'services' },
  Ingress: { apiVersion: 'networking.k8s.io/v1', slug: 'ingress', plural: 'ingresses' },
  PersistentVolumeClaim: { apiVersion: 'v1', slug: 'persistentvolumeclaim', plural: 'persistentvolumeclaims' },
} as const;

export type ConfigKind = keyof typeof CONFIG_KINDS;
export const configKinds = Object.keys(CONFIG_KINDS) as ConfigKind[];

export function isConfigKind(kind: unknown): kind is ConfigKind {
  return typeof kind === 'string' && Object.hasOwn(CONFIG_KINDS, kind);
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bosun';
/** Objects an application's reconciler owns carry this label; they are changed through the application. */
export { APP_LABEL } from '../app/labels';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes' reasons a name is not valid for the kind; [] when it is. Service names are DNS-1035 labels, the others DNS-1123 subdomains. */
export function objectNameErrors(kind: ConfigKind, name: string): string[] {
  if (kind === 'Service') {
    const errors: string[] = [];
    if (name.length > 63) errors.push('must be no more than 63 characters');
    if (!DNS1035_LABEL.test(name)) {
      errors.push(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      );
    }
    return errors;
  }
  const errors: string[] = [];
  if (name.length > 253) errors.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(name)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errors;
}

/** A key of a ConfigMap's or a Secret's data: `[-._a-zA-Z0-9]+`, at most 253 characters. */
export function dataKeyErrors(key: string): string[] {
  const errors: string[] = [];
  if (key.length === 0 || key.length > 253) errors.push('must be 1 to 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) errors.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (key === '.' || key === '..') errors.push("must not be '.' or '..'");
  return errors;
}
