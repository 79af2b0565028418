/**
 * Events of a configuration or storage object's stream
 * (`config-<clusterId>.<namespace>.<kind lowercase>.<name>`). A Secret's values never appear here:
 * its event carries the keys, a keyed fingerprint per key (HMAC-SHA256 under a server-side key,
 * so equal values can be recognised and a value cannot be guessed from it) and the type. The
 * values go only to the cluster.
 */
import { z } from 'zod';
import { dnsLabelSchema } from '../schemas';
import { configKinds } from './kinds';

export const FINGERPRINT_PATTERN = /^hmac-sha256:[0-9a-f]{32}$/;

const ref = {
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  kind: z.enum(configKinds as [string, ...string[]]),
  name: z.string().min(1).max(253),
};

export const secretSummarySchema = z.object({
  type: z.string().min(1).max(253),
  keys: z.array(z.object({ key: z.string().min(1).max(253), fingerprint: z.string().regex(FINGERPRINT_PATTERN) })).max(10_000),
});
export type SecretSummary = z.infer<typeof secretSummarySchema>;

export const ConfigObjectAppliedData = z
  .object({
    ...ref,
    /** The object as applied; for a Secret, without data and stringData. */
    manifest: z.record(z.string(), z.unknown()),
    secret: secretSummarySchema.optional(),
  })
  .superRefine((data, ctx) => {
    if (data.kind !== 'Secret') return;
    if (!data.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a Secret is recorded with its keys and fingerprints' });
    for (const field of ['data', 'stringData']) {
      if (data.manifest[field] !== undefined) ctx.addIssue({ code: 'custom', path: ['manifest', field], message: 'a Secret\'s values never enter an event' });
    }
  });
export const ConfigObjectDeletedData = z.object(ref);
export const ConfigObjectFailedData = z.object({
  ...ref,
  /** The API server's refusal or what went wrong on the way, scrubbed of any Secret value. */
  reason: z.string().min(1).max(2000),
  /** HTTP status when the API server answered. */
  status: z.int().optional(),
});

export const configEventDataSchemas = {
  ConfigObjectApplied: ConfigObjectAppliedData,
  ConfigObjectDeleted: ConfigObjectDeletedData,
  ConfigObjectApplyFailed: ConfigObjectFailedData,
  ConfigObjectDeleteFailed: ConfigObjectFailedData,
} as const;

type Of<T extends keyof typeof configEventDataSchemas> = { type: T; data: z.infer<(typeof configEventDataSchemas)[T]> };

export type ConfigEvent = Of<'ConfigObjectApplied'> | Of<'ConfigObjectDeleted'> | Of<'ConfigObjectApplyFailed'> | Of<'ConfigObjectDeleteFailed'>;
