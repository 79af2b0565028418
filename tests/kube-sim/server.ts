/**
 * The HTTP front of kube-sim: authenticate → impersonate → authorize → dispatch (discovery, resource
 * verbs, subresources, watches) → Status errors, as kube-apiserver's handler chain does.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { forbiddenError } from './auth/index';
import { resolveImpersonation, handleAccessReview } from './auth/index';
import { StatusError, badRequest, invalidObject, methodNotAllowed, notFound, unauthorized } from './errors';
import type { Authenticator, Authorizer, RequestAttributes, UserInfo } from './hooks';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery';
import type { DeleteOptions, ObjectStore } from './objects';
import { PATCH_TYPES } from './objects';
import { apiVersionOf, type ResourceDef } from './registry';
import { parseRequest, type RequestInfo } from './router';
import { labelSelectorToString } from './selectors';
import { subresourceHandler } from './subresources';
import { serveWatch, type WatchSettings } from './watch';
import { toTable, wantsTable } from './table';
import { dropUnknownFields, parseFieldValidation } from './fields';
import type { Faults } from './faults';

const MAX_BODY = 3 * 1024 * 1024;
const PUBLIC_PATHS = new Set(['/version', '/version/', '/healthz', '/livez', '/readyz']);
const FLOWSCHEMA_UID = randomUUID();
const PRIORITY_UID = randomUUID();

export interface ServerDeps {
  store: ObjectStore;
  authenticator: Authenticator;
  authorizer: Authorizer;
  watch: WatchSettings;
  faults: Faults;
  /** host:port clients reach the server at (for /api serverAddressByClientCIDRs) */
  address(): string;
}

function baseHeaders(): Record<string, string> {
  return {
    'Audit-Id': randomUUID(),
    'Cache-Control': 'no-cache, private',
    'X-Kubernetes-Pf-Flowschema-Uid': FLOWSCHEMA_UID,
    'X-Kubernetes-Pf-Prioritylevel-Uid': PRIORITY_UID,
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = baseHeaders()) {
  const data = JSON.stringify(body);
  res.writeHead(code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function sendText(res: ServerResponse, code: number, text: string) {
  res.writeHead(code, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** kube-apiserver's `Warning: 299 - "..."` headers. */
function withWarnings(warnings: string[]): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = baseHeaders();
  if (warnings.length) h.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  return h;
}

export function sendStatusError(res: ServerResponse, e: StatusError) {
  const headers = baseHeaders();
  if (e.details?.retryAfterSeconds) headers['Retry-After'] = String(e.details.retryAfterSeconds);
  sendJson(res, e.code, e.toStatus(), headers);
}

const pathNotFound = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function decodeBody(raw: Buffer, contentType: string | undefined, kind: string): any {
  const text = raw.toString('utf8');
  const ct = (contentType ?? 'application/json').split(';')[0].trim();
  if (ct === 'application/vnd.kubernetes.protobuf') throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  try {
    if (ct === 'application/yaml' || ct === 'application/x-yaml' || ct === 'text/yaml') return parseYaml(text);
    return JSON.parse(text);
  } catch (e: any) {
    if (ct.includes('yaml')) throw badRequest(`error converting YAML to JSON: ${e.message}`);
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${jsonError(e)}`);
  }
}

function jsonError(e: any): string {
  const m = String(e?.message ?? e);
  if (/Unexpected end/.test(m)) return 'unexpected end of JSON input';
  const tok = /Unexpected token '?(.)'?/.exec(m);
  return tok ? `invalid character '${tok[1]}' looking for beginning of value` : m;
}

const boolParam = (v: string | null) => v === 'true' || v === '1';
const includeObject = (q: URLSearchParams) => (q.get('includeObject') as 'None' | 'Metadata' | 'Object' | null) ?? 'Metadata';

/** prefixFromUserAgent: the default field manager of non-apply writes. */
function managerFromUserAgent(ua: string | undefined): string {
  const m = (ua ?? '').split('/')[0];
  return (m || 'unknown').slice(0, 128);
}

function deleteOptions(query: URLSearchParams, body: any): DeleteOptions {
  const o: DeleteOptions = {};
  const b = body && typeof body === 'object' ? body : {};
  o.propagationPolicy = (query.get('propagationPolicy') ?? b.propagationPolicy) || undefined;
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy))
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  const grace = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) o.gracePeriodSeconds = Number(grace);
  const orphan = query.get('orphanDependents') ?? b.orphanDependents;
  if (orphan !== undefined && orphan !== null) o.orphanDependents = orphan === true || orphan === 'true';
  if (b.preconditions) o.preconditions = b.preconditions;
  return o;
}

export class KubeSimServer {
  constructor(private deps: ServerDeps) {}

  /** node:http request listener */
  handle = (req: IncomingMessage, res: ServerResponse) => {
    this.serve(req, res).catch((e) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof StatusError) sendStatusError(res, e);
      else {
        console.error('kube-sim internal error', e);
        sendStatusError(res, new StatusError(500, 'InternalError', `Internal error occurred: ${e?.message ?? e}`));
      }
    });
  };

  /** node:http 'upgrade' listener (exec/attach/portforward websockets go to subresource handlers). */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    this.serveUpgrade(req, socket, head).catch((e) => {
      const code = e instanceof StatusError ? e.code : 500;
      const body = JSON.stringify(e instanceof StatusError ? e.toStatus() : { message: String(e) });
      socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  };

  private authenticate(req: IncomingMessage, path: string): UserInfo {
    const { authenticator, authorizer, store } = this.deps;
    let user = authenticator.authenticate(req.headers);
    if (!user) {
      if (PUBLIC_PATHS.has(path) && !req.headers.authorization) user = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      else throw unauthorized();
    }
    return resolveImpersonation(user, req.headersDistinct as any, authorizer, store);
  }

  private authorize(user: UserInfo, info: RequestInfo) {
    const attrs: RequestAttributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    const d = this.deps.authorizer.authorize(attrs, this.deps.store);
    if (!d.allowed) throw forbiddenError(attrs, d.reason);
  }

  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    if (await this.deps.faults.beforeUpgrade?.(req, socket)) return;
    const url = new URL(req.url ?? '/', 'http://kube-sim');
    const user = this.authenticate(req, url.pathname);
    const info = parseRequest(req.method ?? 'GET', url.pathname, url.searchParams);
    if (info.subresource && ['exec', 'attach', 'portforward'].includes(info.subresource)) info.verb = 'create';
    this.authorize(user, info);
    const def = info.isResourceRequest ? this.deps.store.registry.get(info.apiGroup, info.apiVersion, info.resource) : undefined;
    const h = def && info.subresource ? subresourceHandler(def.resource, info.subresource) : undefined;
    if (!def || !h) throw pathNotFound();
    await h({ def, subresource: info.subresource, namespace: info.namespace, name: info.name, method: req.method ?? 'GET', query: url.searchParams, body: undefined, user, store: this.deps.store, req, upgrade: { socket, head } });
  }

  private async serve(req: IncomingMessage, res: ServerResponse) {
    const { store } = this.deps;
    const url = new URL(req.url ?? '/', 'http://kube-sim');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    const query = url.searchParams;
    const method = (req.method ?? 'GET').toUpperCase();

    await this.deps.faults.before?.(req, res);
    if (res.writableEnded) return;

    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      if (query.has('verbose')) return sendText(res, 200, `[+]ping ok\n[+]etcd ok\n[+]poststarthook/start-apiextensions-controllers ok\n${path.slice(1)} check passed\n`);
      return sendText(res, 200, 'ok');
    }
    const user = this.authenticate(req, path);
    if (path.startsWith('/_sim/') && this.deps.faults.admin) return this.deps.faults.admin(req, res, user);
    const info = parseRequest(method, path, query);
    this.authorize(user, info);

    if (path === '/version') return sendJson(res, 200, versionInfo());
    if (!info.apiPrefix) throw pathNotFound();
    if (info.discovery) {
      if (method !== 'GET') throw methodNotAllowed();
      const reg = store.registry;
      let doc: any;
      if (info.discovery === 'api') doc = apiVersions(this.deps.address());
      else if (info.discovery === 'apis') doc = apiGroupList(reg);
      else if (info.discovery === 'group') doc = apiGroup(reg, info.apiGroup);
      else doc = info.apiPrefix === 'api' && info.apiVersion !== 'v1' ? undefined : apiResourceList(reg, info.apiGroup, info.apiVersion);
      if (!doc) throw pathNotFound();
      return sendJson(res, 200, doc);
    }
    if (info.apiPrefix === 'api' && info.apiVersion !== 'v1') throw pathNotFound();
    const def = store.registry.get(info.apiGroup, info.apiVersion, info.resource);
    if (!def) throw pathNotFound();
    return this.serveResource(req, res, info, def, user, query);
  }

  private async serveResource(req: IncomingMessage, res: ServerResponse, info: RequestInfo, def: ResourceDef, user: UserInfo, query: URLSearchParams) {
    const { store } = this.deps;
    const namespace = def.namespaced ? info.namespace : '';
    if (def.namespaced && !namespace && info.name) throw pathNotFound();
    // cluster-wide paths of namespaced kinds only serve list and watch
    if (def.namespaced && !namespace && !def.virtual && info.verb !== 'list' && info.verb !== 'watch') throw methodNotAllowed();
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : Buffer.alloc(0);
    const dryRun = query.getAll('dryRun').includes('All');
    const fieldManager = query.get('fieldManager') || undefined;
    const ctx = { user, dryRun, fieldManager: fieldManager ?? managerFromUserAgent(req.headers['user-agent']) };

    // virtual create-only resources (access reviews)
    if (def.virtual) {
      if (info.verb !== 'create' || info.name) throw methodNotAllowed();
      const body = decodeBody(raw, req.headers['content-type'], def.kind);
      const result = handleAccessReview(def.kind, body, user, this.deps.authorizer, store, namespace || undefined);
      return sendJson(res, 201, result);
    }

    if (info.subresource) return this.serveSubresource(req, res, info, def, user, query, raw, ctx);

    switch (info.verb) {
      case 'get': {
        const obj = store.read(def.group, def.resource, namespace, info.name);
        if (wantsTable(req.headers.accept)) return sendJson(res, 200, toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeObject(query)));
        return sendJson(res, 200, store.typed(def, obj));
      }
      case 'list':
        return this.serveList(res, def, namespace, query, wantsTable(req.headers.accept));
      case 'watch': {
        if (!def.verbs.includes('watch')) throw methodNotAllowed();
        const timeout = query.get('timeoutSeconds');
        // parse selectors before answering 200 so that bad ones are a plain 400
        store.query(def.group, def.resource, { namespace, labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined, limit: 1 });
        return serveWatch(
          store,
          {
            def,
            namespace: namespace || undefined,
            name: info.name || undefined,
            labelSelector: query.get('labelSelector') ?? undefined,
            fieldSelector: query.get('fieldSelector') ?? undefined,
            resourceVersion: query.get('resourceVersion') ?? undefined,
            allowBookmarks: boolParam(query.get('allowWatchBookmarks')),
            sendInitialEvents: boolParam(query.get('sendInitialEvents')),
            timeoutSeconds: timeout ? Number(timeout) : undefined,
          },
          res,
          this.deps.watch,
          baseHeaders(),
        );
      }
      case 'create': {
        if (info.name) throw methodNotAllowed();
        const body = decodeBody(raw, req.headers['content-type'], def.kind);
        const warnings = dropUnknownFields(def, body, parseFieldValidation(query.get('fieldValidation')));
        const obj = store.create(def.group, def.resource, namespace, body, ctx);
        return sendJson(res, 201, store.typed(def, obj), withWarnings(warnings));
      }
      case 'update': {
        const body = decodeBody(raw, req.headers['content-type'], def.kind);
        const warnings = dropUnknownFields(def, body, parseFieldValidation(query.get('fieldValidation')));
        const obj = store.update(def.group, def.resource, namespace, info.name, body, ctx);
        return sendJson(res, 200, store.typed(def, obj), withWarnings(warnings));
      }
      case 'patch': {
        const { object, created } = this.patch(req, def, namespace, info.name, raw, query, ctx, '');
        return sendJson(res, created ? 201 : 200, store.typed(def, object));
      }
      case 'delete': {
        const body = raw.length ? decodeBody(raw, req.headers['content-type'], 'DeleteOptions') : undefined;
        const { object, deleted } = store.delete(def.group, def.resource, namespace, info.name, deleteOptions(query, body), ctx);
        if (deleted && !def.returnDeletedObject)
          return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: info.name, group: def.group || undefined, kind: def.resource, uid: object.metadata.uid } });
        return sendJson(res, 200, store.typed(def, object));
      }
      case 'deletecollection': {
        if (!def.verbs.includes('deletecollection')) throw methodNotAllowed();
        const body = raw.length ? decodeBody(raw, req.headers['content-type'], 'DeleteOptions') : undefined;
        const r = store.deleteCollection(def.group, def.resource, namespace, { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined }, deleteOptions(query, body), ctx);
        return this.writeList(res, def, r.items, { resourceVersion: r.resourceVersion });
      }
      default:
        throw methodNotAllowed();
    }
  }

  private patch(req: IncomingMessage, def: ResourceDef, namespace: string, name: string, raw: Buffer, query: URLSearchParams, ctx: any, sub: string) {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (!Object.values(PATCH_TYPES).includes(ct as any)) {
      const types = def.custom ? 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml' : 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml';
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${types}`);
    }
    const isApply = ct === PATCH_TYPES.apply;
    const fieldManager = query.get('fieldManager') || undefined;
    if (!isApply && query.has('force')) throw invalidObject('meta.k8s.io', 'PatchOptions', '', [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }]);
    const c = { ...ctx, fieldManager: isApply ? fieldManager : ctx.fieldManager, force: boolParam(query.get('force')) };
    return this.deps.store.patch(def.group, def.resource, namespace, name, ct, raw.toString('utf8'), c, sub);
  }

  private serveList(res: ServerResponse, def: ResourceDef, namespace: string, query: URLSearchParams, table = false) {
    const limit = query.get('limit');
    const r = this.deps.store.query(def.group, def.resource, {
      namespace: namespace || undefined,
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
      // like the watch cache, resourceVersion=0 answers the whole list and ignores limit
      limit: limit && query.get('resourceVersion') !== '0' ? Number(limit) : undefined,
      continue: query.get('continue') ?? undefined,
    });
    const md: any = { resourceVersion: r.resourceVersion };
    if (r.continue) md.continue = r.continue;
    if (r.remainingItemCount !== undefined) md.remainingItemCount = r.remainingItemCount;
    if (table) return sendJson(res, 200, toTable(def, r.items, md, includeObject(query)));
    return this.writeList(res, def, r.items, md);
  }

  /** Streams a list: built-in kinds' items carry no kind/apiVersion (typed lists), custom resources' do. */
  private writeList(res: ServerResponse, def: ResourceDef, items: any[], metadata: any) {
    res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
    res.write(`{"kind":${JSON.stringify(def.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(def))},"metadata":${JSON.stringify(metadata)},"items":[`);
    const CHUNK = 500;
    for (let i = 0; i < items.length; i += CHUNK) {
      const part = items.slice(i, i + CHUNK).map((o) => JSON.stringify(def.custom ? this.deps.store.typed(def, o) : o));
      res.write((i > 0 ? ',' : '') + part.join(','));
    }
    res.end(']}');
  }

  private async serveSubresource(req: IncomingMessage, res: ServerResponse, info: RequestInfo, def: ResourceDef, user: UserInfo, query: URLSearchParams, raw: Buffer, ctx: any) {
    const { store } = this.deps;
    const namespace = def.namespaced ? info.namespace : '';
    const sub = def.subresources.find((s) => s.name === info.subresource);
    if (!sub) throw pathNotFound();
    if (!info.name) throw pathNotFound();
    if (sub.name === 'status' || sub.name === 'finalize') {
      if (info.verb === 'get') return sendJson(res, 200, store.typed(def, store.read(def.group, def.resource, namespace, info.name)));
      if (info.verb === 'update') {
        const body = decodeBody(raw, req.headers['content-type'], def.kind);
        return sendJson(res, 200, store.typed(def, store.update(def.group, def.resource, namespace, info.name, body, ctx, sub.name)));
      }
      if (info.verb === 'patch' && sub.name === 'status') return sendJson(res, 200, store.typed(def, this.patch(req, def, namespace, info.name, raw, query, ctx, 'status').object));
      throw methodNotAllowed();
    }
    if (sub.name === 'scale') return this.serveScale(req, res, info, def, namespace, raw, query, ctx);
    const h = subresourceHandler(def.resource, sub.name);
    if (!h) throw pathNotFound();
    const body = raw.length ? decodeBody(raw, req.headers['content-type'], sub.kind) : undefined;
    const out = await h({ def, subresource: sub.name, namespace, name: info.name, method: req.method ?? 'GET', query, body, user, store, req, res });
    if (out) sendJson(res, out.status, out.body);
  }

  private scaleOf(def: ResourceDef, obj: any) {
    const sc = def.scale!;
    const at = (o: any, p: string | undefined) => (p ? p.replace(/^\./, '').split('.').reduce((c: any, k) => (c == null ? undefined : c[k]), o) : undefined);
    const sel = at(obj, sc.labelSelectorPath);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
      spec: { replicas: at(obj, sc.specReplicasPath) ?? 0 },
      status: { replicas: at(obj, sc.statusReplicasPath) ?? 0, ...(sel ? { selector: typeof sel === 'string' ? sel : labelSelectorToString(sel) } : {}) },
    };
  }

  private async serveScale(req: IncomingMessage, res: ServerResponse, info: RequestInfo, def: ResourceDef, namespace: string, raw: Buffer, query: URLSearchParams, ctx: any) {
    const { store } = this.deps;
    const obj = store.read(def.group, def.resource, namespace, info.name);
    if (info.verb === 'get') return sendJson(res, 200, this.scaleOf(def, obj));
    let scale: any;
    if (info.verb === 'update') scale = decodeBody(raw, req.headers['content-type'], 'Scale');
    else if (info.verb === 'patch') {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
      const current = this.scaleOf(def, obj);
      const { applyMergePatch } = await import('./patch/merge-patch');
      const { applyJsonPatch } = await import('./patch/json-patch');
      const text = raw.toString('utf8');
      if (ct === PATCH_TYPES.json) scale = applyJsonPatch(current, JSON.parse(text));
      else if (ct === PATCH_TYPES.merge || ct === PATCH_TYPES.strategic) scale = applyMergePatch(current, JSON.parse(text));
      else if (ct === PATCH_TYPES.apply) scale = applyMergePatch(current, parseYaml(text));
      else throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    } else throw methodNotAllowed();
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0)
      throw new StatusError(422, 'Invalid', `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`, {
        name: info.name,
        group: 'autoscaling',
        kind: 'Scale',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }],
      });
    const rv = scale?.metadata?.resourceVersion;
    const next = structuredClone(obj);
    if (rv) next.metadata.resourceVersion = rv;
    const path = def.scale!.specReplicasPath.replace(/^\./, '').split('.');
    let cur = next;
    for (const k of path.slice(0, -1)) cur = cur[k] ??= {};
    cur[path[path.length - 1]] = replicas;
    const updated = store.update(def.group, def.resource, namespace, info.name, next, ctx);
    void query;
    return sendJson(res, 200, this.scaleOf(def, updated));
  }
}

export { notFound };
