/**
 * Events of an application template's stream (`template-<templateId>`). A template's documents
 * live here forever, so they never hold secret material (decide refuses Secret data).
 */
import { z } from 'zod';
import { dnsLabelSchema, nonEmptyStringSchema } from '../schemas';
import { parameterDefinitionsSchema } from './parameters';
import { MAX_TEMPLATE_LENGTH } from './render';

export const templateIdSchema = dnsLabelSchema;
/** Workspaces a platform template is offered to: some, or every one ('all'). */
export const sharedWithSchema = z.union([z.literal('all'), z.array(dnsLabelSchema).max(1000)]);
export const templateScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('platform'), sharedWith: sharedWithSchema }),
  z.object({ kind: z.literal('workspace'), workspaceId: dnsLabelSchema }),
]);
export type TemplateScope = z.infer<typeof templateScopeSchema>;
export type SharedWith = z.infer<typeof sharedWithSchema>;

export const TemplateCreatedData = z.object({
  templateId: templateIdSchema,
  displayName: nonEmptyStringSchema.max(100),
  description: z.string().max(1000),
  scope: templateScopeSchema,
});
export const TemplateVersionSavedData = z.object({
  templateId: templateIdSchema,
  version: z.int().min(1),
  documents: z.string().min(1).max(MAX_TEMPLATE_LENGTH),
  parameters: parameterDefinitionsSchema,
  note: z.string().max(1000),
});
export const TemplateSharedData = z.object({ templateId: templateIdSchema, sharedWith: sharedWithSchema });
export const TemplateDeletedData = z.object({ templateId: templateIdSchema });

export const templateEventDataSchemas = {
  TemplateCreated: TemplateCreatedData,
  TemplateVersionSaved: TemplateVersionSavedData,
  TemplateShared: TemplateSharedData,
  TemplateDeleted: TemplateDeletedData,
} as const;

type Of<T extends keyof typeof templateEventDataSchemas> = { type: T; data: z.infer<(typeof templateEventDataSchemas)[T]> };

export type TemplateEvent = Of<'TemplateCreated'> | Of<'TemplateVersionSaved'> | Of<'TemplateShared'> | Of<'TemplateDeleted'>;
