/**
 * What is left of a namespace's quota after the reservations of what Bosun deployed into it
 * (applications, dev environments). The namespace stream holds the reservations, so a command
 * that reserves decides over that stream and concurrent reservations cannot over-commit.
 */
import { DomainError } from '../errors';
import { addResources, describeCpu, formatMemory, type Resources, zeroResources } from '../quantity';
import type { LiveNamespace, ReservedAmounts } from './state';

export type { ReservedAmounts } from './state';

/** Holder name of an application's reservation. */
export const appHolder = (appName: string): string => `app:${appName}`;
/** Holder name of a dev environment's reservation. */
export const devenvHolder = (name: string): string => `devenv:${name}`;

/** Sum of every reservation, leaving out `exceptHolder` (the one being replaced). */
export function reservedTotal(namespace: Pick<LiveNamespace, 'reservations'>, exceptHolder?: string): ReservedAmounts {
  let requests: Resources = zeroResources;
  let limits: Resources = zeroResources;
  for (const [holder, amounts] of Object.entries(namespace.reservations ?? {})) {
    if (holder === exceptHolder) continue;
    requests = addResources(requests, amounts.requests);
    limits = addResources(limits, amounts.limits);
  }
  return { requests, limits };
}

/**
 * The quota left for requests and for limits (the namespace's ResourceQuota caps both at the
 * quota), in the shape checkQuota (domain/template/resources.ts) takes; never negative.
 * `exceptHolder`: leave that holder's own reservation out, as it is about to be replaced.
 */
export function quotaRemaining(
  namespace: Pick<LiveNamespace, 'quota' | 'reservations' | 'name'>,
  exceptHolder?: string,
): ReservedAmounts & { namespace: string } {
  const reserved = reservedTotal(namespace, exceptHolder);
  const left = (used: Resources): Resources => ({
    cpuMillis: Math.max(0, namespace.quota.cpuMillis - used.cpuMillis),
    memoryBytes: Math.max(0, namespace.quota.memoryBytes - used.memoryBytes),
  });
  return { namespace: namespace.name, requests: left(reserved.requests), limits: left(reserved.limits) };
}

/**
 * Refuses a quota below what is reserved (requests or limits, CPU or memory), naming the numbers
 * and the holders, so shrinking a namespace never strands what is deployed in it.
 */
export function assertQuotaCoversReservations(namespace: Pick<LiveNamespace, 'reservations' | 'name'>, quota: Resources): void {
  const reserved = reservedTotal(namespace);
  const holders = Object.keys(namespace.reservations ?? {}).sort();
  const checks = [
    { field: 'quotaCpuMillis', label: 'cpu', want: Math.max(reserved.requests.cpuMillis, reserved.limits.cpuMillis), have: quota.cpuMillis, fmt: describeCpu },
    { field: 'quotaMemoryBytes', label: 'memory', want: Math.max(reserved.requests.memoryBytes, reserved.limits.memoryBytes), have: quota.memoryBytes, fmt: formatMemory },
  ] as const;
  for (const c of checks) {
    if (c.have >= c.want) continue;
    throw new DomainError(
      'conflict',
      `${c.field}: a ${c.label} quota of ${c.fmt(c.have)} is below the ${c.fmt(c.want)} reserved in namespace "${namespace.name}" by ${holders.join(', ')}`,
      { field: c.field, details: { resource: c.label, quota: c.have, reserved: c.want, holders } },
    );
  }
}
