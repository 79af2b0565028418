import { defineTable } from '../rows';
import type { ParameterDefinition } from '../../domain/template/parameters';

/** One row per template ever created; a deleted one stays, marked `deleted`, with its versions. */
export interface TemplateRow {
  template_id: string;
  display_name: string;
  description: string;
  scope_kind: 'platform' | 'workspace';
  /** The owning workspace of a workspace template; null for a platform template. */
  workspace_id: string | null;
  /** Platform templates: 'all' or the workspace ids they are offered to; workspace templates: null. */
  shared_with: 'all' | string[] | null;
  latest_version: number;
  created_at: string;
  updated_at: string;
  deleted: boolean;
  position: number;
}

export const templatesTable = defineTable<TemplateRow>('templates', ['template_id'], {
  template_id: 'text',
  display_name: 'text',
  description: 'text',
  scope_kind: 'text',
  workspace_id: 'text',
  shared_with: 'jsonb',
  latest_version: 'int4',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  deleted: 'bool',
  position: 'int8',
});

export interface TemplateVersionRow {
  template_id: string;
  version: number;
  documents: string;
  parameters: ParameterDefinition[];
  note: string;
  saved_at: string;
  saved_by: string;
  position: number;
}

export const templateVersionsTable = defineTable<TemplateVersionRow>('template_versions', ['template_id', 'version'], {
  template_id: 'text',
  version: 'int4',
  documents: 'text',
  parameters: 'jsonb',
  note: 'text',
  saved_at: 'timestamptz',
  saved_by: 'text',
  position: 'int8',
});
