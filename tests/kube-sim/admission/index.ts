/** Admission plugins for kube-sim, in kube-apiserver's order: LimitRanger, then ResourceQuota. */
import type { AdmissionPlugin } from '../hooks';
import { createLimitRanger } from './limitranger';
import { createResourceQuota } from './resourcequota';

export function createAdmissionPlugins(): AdmissionPlugin[] {
  return [createLimitRanger(), createResourceQuota()];
}

export { createLimitRanger, createResourceQuota };
export { Quantity, parseQuantity, canonicalQuantity, tryParse } from './quantity';
export { quotaStatus, calculateUsage, objectCountName } from './resourcequota';
