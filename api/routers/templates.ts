/**
 * Application templates (应用模板). Reading and using a template needs `apps:deploy` where it is
 * offered: a platform template in a workspace it is shared with, a workspace template in its
 * workspace. Managing one needs `apps:deploy` at the template's own scope (the platform, or its
 * workspace). `render` and `check` write nothing.
 */
import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { stringify } from 'yaml';
import { z } from 'zod';
import { router, listProcedure, scopeInputProcedure } from '../trpc';
import type { ApiContext, ApiUser } from '../context';
import { commandId } from './inputs';
import { runCommand } from './run-domain-command';
import { authorize, type Scope, type Visibility } from '../../domain/permissions';
import { describeScope } from '../../domain/grant/state';
import { DomainError, isDomainError } from '../../domain/errors';
import { checkVersion } from '../../domain/template/decide';
import { sharedWithSchema, templateScopeSchema } from '../../domain/template/events';
import { parseParameterDefinitions } from '../../domain/template/parameters';
import { renderTemplate } from '../../domain/template/render';
import { applyOrder } from '../../domain/template/order';
import { STARTER_TEMPLATES } from '../../domain/template/starters';
import {
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  sharedWithWorkspace,
} from '../../projections/templates/queries';
import type { TemplateRow } from '../../projections/templates/tables';

type Ctx = ApiContext & { user: ApiUser; visible?: Visibility | null };

const templateId = z.string().trim().min(1, 'is required').max(63, 'must be no more than 63 characters');
const documents = z.string().max(512 * 1024);
const parameters = z.array(z.unknown()).max(100);

/** Workspaces where the caller holds apps:deploy (directly, or in one of its namespaces). */
async function deployWorkspaces(db: Kysely<any>, visible: Visibility): Promise<Set<string>> {
  const ids = new Set(visible.workspaceIds);
  if (visible.namespaces.size > 0) {
    const rows = await db.selectFrom('namespaces').select(['cluster_id', 'name', 'workspace_id']).execute();
    for (const row of rows as Array<{ cluster_id: string; name: string; workspace_id: string }>) {
      if (visible.namespaces.has(`${row.cluster_id}/${row.name}`)) ids.add(row.workspace_id);
    }
  }
  return ids;
}

function canSee(row: TemplateRow, visible: Visibility, workspaces: ReadonlySet<string>): boolean {
  if (visible.everywhere) return true;
  if (row.scope_kind === 'workspace') return row.workspace_id !== null && workspaces.has(row.workspace_id);
  return [...workspaces].some((w) => sharedWithWorkspace(row, w));
}

function scopeOf(row: TemplateRow): Scope {
  return row.scope_kind === 'workspace' ? { kind: 'workspace', workspaceId: row.workspace_id! } : { kind: 'platform' };
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', `templateId: template "${id}" does not exist`, { field: 'templateId' });
}

/** The template, when the caller may use it; a template they may not see is "not found". */
async function visibleTemplate(ctx: Ctx, id: string): Promise<TemplateRow> {
  const row = await getTemplate(ctx.services.db, id);
  if (!row || row.deleted) throw notFound(id);
  const visible = ctx.visible!;
  if (!canSee(row, visible, await deployWorkspaces(ctx.services.db, visible))) throw notFound(id);
  return row;
}

/** The template, when the caller may change it: apps:deploy at its own scope. */
async function manageableTemplate(ctx: Ctx, id: string): Promise<TemplateRow> {
  const row = await visibleTemplate(ctx, id);
  const scope = scopeOf(row);
  if (!authorize(ctx.user.access, 'apps:deploy', scope)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `forbidden: you lack the permission apps:deploy on ${describeScope(scope)}` });
  }
  return row;
}

function summary(row: TemplateRow) {
  return {
    templateId: row.template_id,
    displayName: row.display_name,
    description: row.description,
    scope: row.scope_kind === 'workspace' ? { kind: 'workspace' as const, workspaceId: row.workspace_id! } : { kind: 'platform' as const, sharedWith: row.shared_with ?? [] },
    latestVersion: row.latest_version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

interface CheckProblem {
  field: string;
  message: string;
  line?: number;
  column?: number;
}

/** Line (1-based) where each YAML document starts, for problems that name a document only. */
function documentLines(text: string): number[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let seenContent = false;
  lines.forEach((line, i) => {
    if (/^---(\s|$)/.test(line)) {
      if (seenContent || starts.length === 0) starts.push(i + 2);
      else starts[starts.length - 1] = i + 2;
      seenContent = false;
    } else if (line.trim() !== '' && !line.trim().startsWith('#')) {
      if (starts.length === 0) starts.push(i + 1);
      seenContent = true;
    }
  });
  return starts.length > 0 ? starts : [1];
}

function problemsOf(error: DomainError, text: string): CheckProblem[] {
  const listed = (error.details?.problems ?? [{ field: error.field ?? 'documents', message: error.message }]) as Array<Record<string, unknown>>;
  const starts = documentLines(text);
  return listed.map((p) => {
    const field = String(p.field ?? '');
    const index = /^documents\[(\d+)\]/.exec(field);
    const line = typeof p.line === 'number' ? p.line : index ? starts[Number(index[1])] : undefined;
    return { field, message: String(p.message ?? ''), line, column: typeof p.column === 'number' ? p.column : undefined };
  });
}

const renderInput = z.object({
  templateId: templateId.optional(),
  /** A saved version; the latest when left out. */
  version: z.int().min(1).optional(),
  /** An unsaved draft to render instead of a saved version (the editor's preview). */
  source: z.object({ documents, parameters }).optional(),
  namespace: z.string().max(63),
  appName: z.string().max(63).optional(),
  values: z.record(z.string(), z.unknown()).default({}),
});

export const templatesRouter = router({
  /** Templates the caller can deploy from: platform templates shared with one of their workspaces, and their workspaces' own. */
  list: listProcedure('apps:deploy')
    .input(z.object({ scope: z.enum(['platform', 'workspace']).optional(), workspaceId: z.string().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const rows = await listTemplates(ctx.services.db, { scope: input?.scope });
      const visible = ctx.visible!;
      const workspaces = await deployWorkspaces(ctx.services.db, visible);
      return rows
        .filter((row) => canSee(row, visible, workspaces))
        .filter((row) => !input?.workspaceId || row.workspace_id === input.workspaceId || sharedWithWorkspace(row, input.workspaceId))
        .map((row) => ({ ...summary(row), canManage: authorize(ctx.user.access, 'apps:deploy', scopeOf(row)) }));
    }),

  /** A template with one version's source (the latest unless `version`) and every version's metadata. */
  get: listProcedure('apps:deploy')
    .input(z.object({ templateId, version: z.int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const row = await visibleTemplate(ctx, input.templateId);
      const version = await getTemplateVersion(ctx.services.db, row.template_id, input.version ?? row.latest_version);
      if (!version) throw new DomainError('not_found', `version: template "${row.template_id}" has no version ${input.version}`, { field: 'version' });
      const versions = await listTemplateVersions(ctx.services.db, row.template_id);
      return {
        ...summary(row),
        canManage: authorize(ctx.user.access, 'apps:deploy', scopeOf(row)),
        version: {
          version: version.version,
          documents: version.documents,
          parameters: version.parameters,
          note: version.note,
          savedAt: new Date(version.saved_at).toISOString(),
          savedBy: version.saved_by,
        },
        versions: versions.map((v) => ({ version: v.version, note: v.note, savedAt: new Date(v.saved_at).toISOString(), savedBy: v.saved_by })),
      };
    }),

  /** The built-in starters (基础模板) a template is created from. */
  starters: listProcedure('apps:deploy').query(() => STARTER_TEMPLATES.map((s) => ({ ...s }))),

  create: scopeInputProcedure('apps:deploy', 'scope')
    .input(
      z.object({
        commandId,
        templateId,
        displayName: z.string().trim().min(1, 'is required').max(100),
        description: z.string().max(1000).default(''),
        scope: templateScopeSchema,
        documents,
        parameters,
      }),
    )
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'CreateTemplate', ...input })),

  saveVersion: listProcedure('apps:deploy')
    .input(z.object({ commandId, templateId, documents, parameters, note: z.string().max(1000).default('') }))
    .mutation(async ({ ctx, input }) => {
      await manageableTemplate(ctx, input.templateId);
      const { position } = await runCommand(ctx, input.commandId, { type: 'SaveTemplateVersion', ...input });
      const row = await getTemplate(ctx.services.db, input.templateId);
      return { position, version: row?.latest_version ?? 0 };
    }),

  share: listProcedure('apps:deploy')
    .input(z.object({ commandId, templateId, sharedWith: sharedWithSchema }))
    .mutation(async ({ ctx, input }) => {
      await manageableTemplate(ctx, input.templateId);
      return runCommand(ctx, input.commandId, { type: 'ShareTemplate', ...input });
    }),

  delete: listProcedure('apps:deploy')
    .input(z.object({ commandId, templateId }))
    .mutation(async ({ ctx, input }) => {
      await manageableTemplate(ctx, input.templateId);
      return runCommand(ctx, input.commandId, { type: 'DeleteTemplate', templateId: input.templateId });
    }),

  /** Checks a draft as saving would, returning every problem with its line (for the editor's lint); writes nothing. */
  check: listProcedure('apps:deploy')
    .input(z.object({ documents, parameters }))
    .mutation(({ input }) => {
      try {
        checkVersion(input.documents, input.parameters);
        return { ok: true as const, problems: [] as CheckProblem[] };
      } catch (error) {
        if (!isDomainError(error)) throw error;
        return { ok: false as const, problems: problemsOf(error, input.documents) };
      }
    }),

  /**
   * Renders a saved version (or a draft) for a namespace with the given values: the objects in
   * apply order, as YAML. Refuses (400) naming each bad value under `values.<name>`; writes nothing.
   */
  render: listProcedure('apps:deploy')
    .input(renderInput)
    .mutation(async ({ ctx, input }) => {
      let source: { documents: string; parameters: unknown };
      if (input.source) {
        source = input.source;
      } else {
        if (!input.templateId) throw new DomainError('invalid', 'templateId: is required (or give a draft source)', { field: 'templateId' });
        const row = await visibleTemplate(ctx, input.templateId);
        const version = await getTemplateVersion(ctx.services.db, row.template_id, input.version ?? row.latest_version);
        if (!version) throw new DomainError('not_found', `version: template "${row.template_id}" has no version ${input.version}`, { field: 'version' });
        source = version;
      }
      const definitions = parseParameterDefinitions(source.parameters);
      const appName = input.appName ?? input.templateId ?? 'preview';
      const rendered = renderTemplate({ documents: source.documents, parameters: definitions }, input.values, { namespace: input.namespace, appName });
      const objects = applyOrder(rendered.objects);
      return {
        objects: objects.map((o) => ({ kind: o.kind, name: o.metadata.name })),
        yaml: objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'),
      };
    }),
});
