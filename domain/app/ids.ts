/**
 * An application is identified by cluster, namespace and name: `appId = <clusterId>.<namespace>.<name>`,
 * each a DNS label (no dots), so the id splits back unambiguously. Its stream is `app-<appId>`.
 */
import { invalid } from '../errors';
import { dnsLabelErrors } from '../names';

export interface AppKey {
  clusterId: string;
  namespace: string;
  name: string;
}

export function appIdOf(key: AppKey): string {
  return `${key.clusterId}.${key.namespace}.${key.name}`;
}

/** The parts of an appId, or null when it is not one. */
export function parseAppId(appId: unknown): AppKey | null {
  if (typeof appId !== 'string') return null;
  const parts = appId.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '' || dnsLabelErrors(p).length > 0)) return null;
  return { clusterId: parts[0], namespace: parts[1], name: parts[2] };
}

/** Like parseAppId, refusing (invalid, field `appId`) what is not an appId. */
export function requireAppId(appId: unknown, field = 'appId'): AppKey {
  const key = parseAppId(appId);
  if (!key) throw invalid(field, `must be <clusterId>.<namespace>.<name>, each a DNS label, got ${JSON.stringify(appId)}`);
  return key;
}
