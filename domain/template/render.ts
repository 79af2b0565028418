/**
 * Rendering an application template: checked values are substituted into the parsed YAML (see
 * placeholders.ts), then every document must be an allowed, named object of the target namespace;
 * Bosun's labels are added to it and to its pod template.
 */
import { type Document, LineCounter, parseAllDocuments, type Scalar, visit } from 'yaml';
import { z } from 'zod';
import { showValue } from '../quantity';
import { dnsLabelErrors, validateDnsLabel } from '../names';
import {
  ALLOWED_KINDS,
  INSTANCE_LABEL,
  isAllowedKind,
  isRecord,
  isWorkloadKind,
  type Json,
  type KubernetesObject,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  podTemplatePath,
} from './objects';
import { type ParameterDefinition, parameterDefinitionsSchema, type ParameterValues, validateValues } from './parameters';
import { findMarkers, type MarkedSource, markPlaceholders, type Placeholder, unmark } from './placeholders';
import { Problems } from './problems';

export const MAX_TEMPLATE_LENGTH = 512 * 1024;

export const templateSourceSchema = z.object({
  documents: z.string().min(1).max(MAX_TEMPLATE_LENGTH),
  parameters: parameterDefinitionsSchema,
});

export interface TemplateSource {
  /** Multi-document YAML with placeholders. */
  documents: string;
  parameters: readonly ParameterDefinition[];
}

export interface RenderContext {
  namespace: string;
  appName: string;
}

export interface RenderedTemplate {
  objects: KubernetesObject[];
}

interface ParsedDocument {
  index: number;
  line: number;
  document: Document.Parsed;
}

interface ParsedTemplate {
  marked: MarkedSource;
  documents: ParsedDocument[];
}

function documentField(index: number): string {
  return `documents[${index}]`;
}

function placeholderProblem(placeholder: Placeholder, parameters: readonly ParameterDefinition[]): string | undefined {
  const where = `line ${placeholder.line}, column ${placeholder.column}`;
  const { target } = placeholder;
  if (target === undefined) {
    return (
      `${where}: unsupported placeholder ${placeholder.source}: only {{ .Values.<name> }}, {{ .Release.Namespace }}, ` +
      `{{ .Release.Name }} and {{ "literal text" }} are supported`
    );
  }
  if (target.kind === 'value' && !parameters.some((p) => p.name === target.name)) {
    const names = parameters.length > 0 ? parameters.map((p) => p.name).join(', ') : 'none';
    return `${where}: unknown placeholder ${placeholder.source}: no parameter named "${target.name}" (parameters: ${names})`;
  }
  return undefined;
}

/** Parses the YAML and checks its placeholders; refuses with every problem, each with its line. */
function parseTemplate(template: TemplateSource): ParsedTemplate {
  const problems = new Problems();
  if (template.documents.length > MAX_TEMPLATE_LENGTH) {
    problems.add('documents', `must be no more than ${MAX_TEMPLATE_LENGTH} characters`);
    problems.throwIfAny();
  }
  const marked = markPlaceholders(template.documents);
  const lineCounter = new LineCounter();
  const parsed = [...parseAllDocuments(marked.text, { lineCounter, prettyErrors: false, uniqueKeys: true })];
  const documents = parsed.map((document, index) => ({
    index,
    document,
    line: lineCounter.linePos(document.range[0]).line,
  }));
  const documentAt = (offset: number) => documents.filter((d) => d.document.range[0] <= offset).pop()?.index ?? 0;

  for (const { index, document } of documents) {
    for (const error of document.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = unmark(marked, error.message);
      problems.add(documentField(index), `line ${line}, column ${col}: YAML does not parse: ${message}`, { line, column: col });
    }
  }
  for (const position of marked.unclosed) {
    problems.add(documentField(documentAt(position.offset)), `line ${position.line}, column ${position.column}: "{{" is not closed by "}}" on the same line`, {
      line: position.line,
      column: position.column,
    });
  }
  for (const placeholder of marked.placeholders) {
    const reason = placeholderProblem(placeholder, template.parameters);
    if (reason !== undefined) {
      problems.add(documentField(documentAt(placeholder.offset)), reason, {
        placeholder: placeholder.source,
        line: placeholder.line,
        column: placeholder.column,
      });
    }
  }
  problems.throwIfAny();
  return { marked, documents };
}

/**
 * Checks a template as an author saves it: parameter definitions, YAML syntax and placeholders.
 * Whether its objects are allowed is only known once values are in (a kind may be a placeholder).
 */
export function checkTemplate(template: TemplateSource): void {
  parseTemplate(template);
}

type Resolve = (placeholder: Placeholder) => unknown;

/**
 * Replaces markers in the document's scalars. A plain scalar that is exactly one placeholder
 * takes the value as typed (a number stays a number); a quoted, tagged or block scalar, or one
 * with text around the placeholder, becomes a string, as in Helm where quoting makes a string.
 */
function substitute(marked: MarkedSource, document: Document.Parsed, resolve: Resolve): void {
  visit(document, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      const text = node.value;
      const hits = findMarkers(marked, text);
      if (hits.length === 0) return;
      const whole = hits.length === 1 && hits[0].start === 0 && hits[0].end === text.length;
      if (whole && node.type === 'PLAIN' && node.tag === undefined) {
        node.value = resolve(hits[0].placeholder) ?? null;
        return;
      }
      let result = '';
      let copied = 0;
      for (const hit of hits) {
        result += text.slice(copied, hit.start) + String(resolve(hit.placeholder) ?? '');
        copied = hit.end;
      }
      node.value = result + text.slice(copied);
    },
  });
}

function resolver(values: ParameterValues, context: RenderContext): Resolve {
  return ({ target }) => {
    if (target === undefined) return undefined;
    if (target.kind === 'literal') return target.text;
    if (target.kind === 'release') return target.field === 'Namespace' ? context.namespace : context.appName;
    return Object.hasOwn(values, target.name) ? values[target.name] : undefined;
  };
}

/** Checks a label map and returns it with Bosun's labels added; undefined (after reporting) when malformed. */
function withBosunLabels(labels: unknown, field: string, appName: string, problems: Problems): Record<string, string> | undefined {
  if (labels !== undefined && labels !== null && !isRecord(labels)) {
    problems.add(field, `must be a mapping of label names to strings, got ${showValue(labels)}`);
    return undefined;
  }
  let ok = true;
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string') {
      const hint = typeof value === 'number' || typeof value === 'boolean' ? ' (quote the value in the YAML to keep it a string)' : '';
      problems.add(`${field}.${key}`, `must be a string, got ${showValue(value)}${hint}`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { ...(labels as Record<string, string> | undefined), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [INSTANCE_LABEL]: appName };
}

function requireString(object: Json, key: string, field: string, problems: Problems): string | undefined {
  const value = object[key];
  if (value === undefined || value === null || value === '') {
    problems.add(`${field}.${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(`${field}.${key}`, `must be a string, got ${showValue(value)}`);
    return undefined;
  }
  return value;
}

/** Adds Bosun's labels to a workload's pod template (reporting when there is none). */
function labelPodTemplate(object: Json, kind: string, field: string, appName: string, problems: Problems): void {
  if (!isWorkloadKind(kind)) return;
  const path = podTemplatePath(kind);
  let parent: unknown = object;
  for (const key of path.slice(0, -1)) parent = isRecord(parent) ? parent[key] : undefined;
  const template = isRecord(parent) ? parent[path[path.length - 1]] : undefined;
  if (!isRecord(parent) || !isRecord(template)) {
    problems.add(`${field}.${path.join('.')}`, `is required: a ${kind} needs a pod template`);
    return;
  }
  const metadata = template.metadata ?? {};
  const metadataField = `${field}.${path.join('.')}.metadata`;
  if (!isRecord(metadata)) {
    problems.add(metadataField, `must be a mapping, got ${showValue(metadata)}`);
    return;
  }
  const labels = withBosunLabels(metadata.labels, `${metadataField}.labels`, appName, problems);
  if (labels) parent[path[path.length - 1]] = { ...template, metadata: { ...metadata, labels } };
}

/** Turns one parsed document into an object of the target namespace, reporting why it cannot be. */
function checkObject(value: unknown, index: number, context: RenderContext, problems: Problems): KubernetesObject | undefined {
  const field = documentField(index);
  if (!isRecord(value)) {
    const got = Array.isArray(value) ? 'a list' : showValue(value);
    problems.add(field, `must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${got}`);
    return undefined;
  }
  const before = problems.count;
  const apiVersion = requireString(value, 'apiVersion', field, problems);
  const kind = requireString(value, 'kind', field, problems);
  if (kind !== undefined && !isAllowedKind(kind)) {
    problems.add(field, `kind ${kind} is not allowed in an application template (allowed: ${Object.keys(ALLOWED_KINDS).join(', ')})`, {
      kind,
    });
  } else if (kind !== undefined && apiVersion !== undefined && ALLOWED_KINDS[kind] !== apiVersion) {
    problems.add(`${field}.apiVersion`, `${kind} must have apiVersion ${ALLOWED_KINDS[kind]}, got ${apiVersion}`);
  }
  const metadata = value.metadata;
  if (!isRecord(metadata)) {
    problems.add(`${field}.metadata`, metadata === undefined || metadata === null ? 'is required' : `must be a mapping, got ${showValue(metadata)}`);
    return undefined;
  }
  const name = requireString(metadata, 'name', `${field}.metadata`, problems);
  const nameErrors = name === undefined ? [] : dnsLabelErrors(name);
  if (nameErrors.length > 0) problems.add(`${field}.metadata.name`, `Invalid value: ${JSON.stringify(name)}: ${nameErrors.join('; ')}`);
  const namespace = metadata.namespace;
  if (namespace !== undefined && namespace !== null && namespace !== context.namespace) {
    problems.add(
      `${field}.metadata.namespace`,
      `must be the application's namespace "${context.namespace}" or left out, got ${showValue(namespace)}`,
    );
  }
  const labels = withBosunLabels(metadata.labels, `${field}.metadata.labels`, context.appName, problems);
  if (kind !== undefined) labelPodTemplate(value, kind, field, context.appName, problems);
  if (problems.count > before || labels === undefined) return undefined;
  return { ...value, metadata: { ...metadata, name: name!, namespace: context.namespace, labels } } as KubernetesObject;
}

function reportDuplicates(objects: Array<{ index: number; object: KubernetesObject }>, problems: Problems): void {
  const first = new Map<string, number>();
  for (const { index, object } of objects) {
    const key = `${object.kind}/${object.metadata.name}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else problems.add(documentField(index), `duplicate ${object.kind} "${object.metadata.name}" (also in ${documentField(earlier)})`);
  }
}

/**
 * Renders a template for one application: `values` are checked against the parameters (see
 * validateValues), substituted, and every object checked. Refuses with DomainError('invalid')
 * listing every problem, each under `values.<name>` or `documents[<index>]…`.
 */
export function renderTemplate(template: TemplateSource, values: unknown, context: RenderContext): RenderedTemplate {
  validateDnsLabel(context.namespace, 'namespace');
  validateDnsLabel(context.appName, 'appName');
  const typed = validateValues(template.parameters, values);
  const { marked, documents } = parseTemplate(template);
  const resolve = resolver(typed, context);
  const problems = new Problems();
  const checked: Array<{ index: number; object: KubernetesObject }> = [];
  for (const { index, document } of documents) {
    substitute(marked, document, resolve);
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.add(documentField(index), `cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const object = checkObject(value, index, context, problems);
    if (object) checked.push({ index, object });
  }
  reportDuplicates(checked, problems);
  if (problems.count === 0 && checked.length === 0) problems.add('documents', 'must contain at least one Kubernetes object');
  problems.throwIfAny();
  return { objects: checked.map((c) => c.object) };
}
