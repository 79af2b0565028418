/**
 * Events of an application's stream (`app-<clusterId>.<namespace>.<name>`). Every revision carries
 * its rendered manifests, so any revision can be deployed again exactly as it was. Manifests never
 * hold Secret data (templates cannot carry it).
 */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema, quantitySchema } from '../schemas';

const appIdSchema = z.string().min(5).max(200);
const amountsSchema = z.object({ cpuMillis: quantitySchema, memoryBytes: quantitySchema });
const valuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** A rendered Kubernetes object (allowed kind, named, in the app's namespace, labelled). */
const manifestSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1) }),
});
const revisionSchema = z.int().min(1);

const revisionContent = {
  templateVersion: z.int().min(1),
  values: valuesSchema,
  manifests: z.array(manifestSchema).min(1).max(200),
  requests: amountsSchema,
  limits: amountsSchema,
};

export const AppGeneratedData = z.object({
  appId: appIdSchema,
  clusterId: dnsLabelSchema,
  namespace: dnsLabelSchema,
  workspaceId: dnsLabelSchema,
  name: dnsLabelSchema,
  description: z.string().max(1000),
  templateId: dnsLabelSchema,
  revision: z.literal(1),
  ...revisionContent,
});
export const AppPublishedData = z.object({ appId: appIdSchema, revision: revisionSchema });
export const AppRevisedData = z.object({
  appId: appIdSchema,
  revision: revisionSchema,
  ...revisionContent,
  reason: z.enum(['update', 'rollback']),
  /** For a rollback: the revision whose content this one restores. */
  fromRevision: revisionSchema.optional(),
});
export const AppUnpublishedData = z.object({ appId: appIdSchema, revision: revisionSchema });
export const AppDeletedData = z.object({ appId: appIdSchema });
export const AppDeployedData = z.object({ appId: appIdSchema, revision: revisionSchema });
export const AppDeployFailedData = z.object({ appId: appIdSchema, revision: revisionSchema, reason: nonEmptyStringSchema.max(1000) });
export const AppUndeployedData = z.object({ appId: appIdSchema });

export const appEventDataSchemas = {
  AppGenerated: AppGeneratedData,
  AppPublished: AppPublishedData,
  AppRevised: AppRevisedData,
  AppUnpublished: AppUnpublishedData,
  AppDeleted: AppDeletedData,
  AppDeployed: AppDeployedData,
  AppDeployFailed: AppDeployFailedData,
  AppUndeployed: AppUndeployedData,
} as const;

type Of<T extends keyof typeof appEventDataSchemas> = { type: T; data: z.infer<(typeof appEventDataSchemas)[T]> };
export type AppEvent =
  | Of<'AppGenerated'>
  | Of<'AppPublished'>
  | Of<'AppRevised'>
  | Of<'AppUnpublished'>
  | Of<'AppDeleted'>
  | Of<'AppDeployed'>
  | Of<'AppDeployFailed'>
  | Of<'AppUndeployed'>;
export type AppEventType = AppEvent['type'];
export const appEventTypes = Object.keys(appEventDataSchemas) as AppEventType[];
