/**
 * kube-sim's object API: kube-apiserver's write semantics on top of Storage. Used by the HTTP layer
 * and in-process by controllers (part 2): create / update / patch / apply / delete / list / watch,
 * every write emitting watch events.
 *
 * Calls with a `user` in the context run admission; in-process calls without one skip it.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { alreadyExists, badRequest, conflict, forbidden, gone, invalidObject, notFound, StatusError } from './errors';
import type { AdmissionOperation, AdmissionPlugin, AdmissionRequest, ObjectReader, ObjectWriter, UserInfo } from './hooks';
import { applyDefaults } from './defaults';
import { applyJsonPatch } from './patch/json-patch';
import { applyMergePatch } from './patch/merge-patch';
import { applyStrategicPatch } from './patch/strategic';
import { serverSideApply, trackUpdate, type Scope } from './patch/apply';
import { builtinListTypes } from './patch/fieldset';
import { apiVersionOf, groupResource, resourceKey, type Registry, type ResourceDef } from './registry';
import { matches, parseFieldSelector, parseLabelSelector, type Filter } from './selectors';
import { Storage, deepFreeze, type StoredEvent } from './storage';
import { validate, validateUpdate } from './validation';
import { pruneAndDefault, schemaCauses } from './crschema';

export interface WriteContext {
  /** The requesting user; when set, admission plugins run. */
  user?: UserInfo;
  /** managedFields manager; omitted = no managedFields tracking (cheap in-process writes). */
  fieldManager?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: any[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** '' / undefined / '0': start with synthetic ADDED events for current objects. */
  resourceVersion?: string;
  /** name filter (watch of a single object via fieldSelector metadata.name is the same). */
  name?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchHandle {
  stop(): void;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)]).join('');

const SYSTEM_USER: UserInfo = { name: 'system:kube-sim', groups: ['system:masters'] };

/** NamespaceLifecycle refuses to delete these. */
const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

const SYSTEM_META = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

/** Key order like kube-apiserver's JSON: metadata first, status last (kind/apiVersion are added on output). */
function ordered(obj: any): any {
  const { kind: _k, apiVersion: _a, metadata, status, ...rest } = obj;
  const o: any = { metadata, ...rest };
  if (status !== undefined) o.status = status;
  return o;
}

const sameContent = (a: any, b: any) => JSON.stringify(a) === JSON.stringify(b);
const specOf = (o: any) => {
  const { metadata: _m, status: _s, kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
};

export type RemovedHook = (def: ResourceDef, obj: any) => void;

export class ObjectStore implements ObjectReader, ObjectWriter {
  readonly storage: Storage;
  private ipCounter = 1;
  private removedHooks: RemovedHook[] = [];
  private writeHooks: Array<(def: ResourceDef, type: WatchEventType, obj: any) => void> = [];

  constructor(
    readonly registry: Registry,
    readonly admission: AdmissionPlugin[] = [],
    watchWindow = 10_000,
  ) {
    this.storage = new Storage(watchWindow);
  }

  // ---- resolution ----

  def(group: string, resource: string): ResourceDef {
    const d = this.registry.find(group, resource);
    if (!d) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: group || undefined, kind: resource });
    return d;
  }

  private key(def: ResourceDef) {
    return resourceKey(def.group, def.resource);
  }

  /** Object with kind/apiVersion, as served for single objects and watch events. */
  typed(def: ResourceDef, obj: any): any {
    return { kind: def.kind, apiVersion: apiVersionOf(def), ...obj };
  }

  onRemoved(h: RemovedHook) {
    this.removedHooks.push(h);
  }

  onWrite(h: (def: ResourceDef, type: WatchEventType, obj: any) => void) {
    this.writeHooks.push(h);
  }

  allocateClusterIP(): string {
    const n = this.ipCounter++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }

  // ---- reads (ObjectReader) ----

  get(group: string, resource: string, namespace: string, name: string): any | undefined {
    const d = this.registry.find(group, resource);
    return d && this.storage.get(this.key(d), d.namespaced ? namespace : '', name);
  }

  /** Like get but throws 404 NotFound. */
  read(group: string, resource: string, namespace: string, name: string): any {
    const d = this.def(group, resource);
    const o = this.storage.get(this.key(d), d.namespaced ? namespace : '', name);
    if (!o) throw notFound(d.group, d.resource, name);
    return o;
  }

  list(group: string, resource: string, namespace?: string): any[] {
    const d = this.registry.find(group, resource);
    if (!d) return [];
    return this.storage.list(this.key(d), d.namespaced ? namespace || undefined : '');
  }

  /** List with selectors and pagination, as the HTTP list does. */
  query(group: string, resource: string, opts: ListOptions = {}): ListResult {
    const d = this.def(group, resource);
    const filter: Filter = { labels: parseLabelSelector(opts.labelSelector), fields: parseFieldSelector(opts.fieldSelector, d) };
    const rv = this.storage.resourceVersion;
    let start = '';
    let listRv = rv;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      if (tok.rv < this.storage.oldestAvailable(this.key(d))) throw expiredContinue();
      start = tok.start;
      listRv = tok.rv;
    }
    const nsScope = d.namespaced ? opts.namespace || undefined : '';
    const [startNs, startName] = start ? splitKey(start) : ['', ''];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: any[] = [];
    const it = this.storage.scan(this.key(d), nsScope, startNs, startName);
    let next: any;
    for (;;) {
      const r = it.next();
      if (r.done) break;
      if (!matches(filter, r.value)) continue;
      if (items.length >= limit) {
        next = r.value;
        break;
      }
      items.push(r.value);
    }
    const result: ListResult = { items, resourceVersion: String(listRv) };
    if (next) {
      result.continue = encodeContinue(listRv, keyOf(next));
      if (filter.labels.length === 0 && filter.fields.length === 0) {
        const last = items[items.length - 1];
        result.remainingItemCount = this.storage.countAfter(this.key(d), nsScope, last.metadata.namespace ?? '', last.metadata.name);
      }
    }
    return result;
  }

  // ---- writes ----

  private prepareNew(def: ResourceDef, namespace: string, body: any): any {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the object provided is unrecognized (must be of type ${def.kind})`);
    checkTypeMeta(def, body);
    const obj = structuredClone(body);
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    const md = obj.metadata;
    if (def.namespaced) {
      if (md.namespace && namespace && md.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      md.namespace = namespace || md.namespace;
    } else delete md.namespace;
    return obj;
  }

  private checkNamespace(def: ResourceDef, namespace: string, name: string) {
    if (!def.namespaced) return;
    const ns = this.storage.get(resourceKey('', 'namespaces'), '', namespace);
    if (!ns) throw notFound('', 'namespaces', namespace);
    if (ns.status?.phase === 'Terminating' || ns.metadata.deletionTimestamp)
      throw forbidden(`${groupResource(def)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name,
        group: def.group || undefined,
        kind: def.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
  }

  private admit(op: AdmissionOperation, def: ResourceDef, sub: string, namespace: string, obj: any, old: any, ctx: WriteContext): AdmissionRequest | undefined {
    if (this.admission.length === 0) return undefined;
    const req: AdmissionRequest = { operation: op, group: def.group, resource: def.resource, subresource: sub, namespace: def.namespaced ? namespace : '', object: obj, oldObject: old, user: ctx.user ?? SYSTEM_USER };
    // in-process (controller) writes skip admission checks but still reach afterWrite (derived state such as quota usage)
    if (ctx.user) for (const p of this.admission) p.admit(req, this);
    return req;
  }

  private afterWrite(req: AdmissionRequest | undefined) {
    if (!req) return;
    for (const p of this.admission) p.afterWrite?.(req, this, this);
  }

  private managerOpts(def: ResourceDef, manager: string, sub: string) {
    const scope: Scope = sub === 'status' ? 'status' : def.hasStatus ? 'main' : 'all';
    return { manager, apiVersion: apiVersionOf(def), listType: builtinListTypes(def.schema), subresource: sub === 'status' ? 'status' : '', scope, now: now() };
  }

  create(group: string, resource: string, namespace: string, body: any, ctx: WriteContext = {}): any {
    const def = this.def(group, resource);
    const obj = this.prepareNew(def, namespace, body);
    return this.createPrepared(def, obj, ctx, false);
  }

  private createPrepared(def: ResourceDef, obj: any, ctx: WriteContext, managedAlready: boolean): any {
    const md = obj.metadata;
    const namespace = md.namespace ?? '';
    if (!md.name && md.generateName && typeof md.generateName === 'string') md.name = md.generateName + randomSuffix();
    for (const f of SYSTEM_META) delete md[f];
    if (!managedAlready) delete md.managedFields;
    md.uid = randomUUID();
    md.creationTimestamp = now();
    if (def.generation) md.generation = 1;
    // PrepareForCreate of kinds with a status subresource resets the status (kubelets register Nodes with theirs)
    if (def.hasStatus && !(def.group === '' && def.resource === 'nodes')) delete obj.status;
    this.checkNamespace(def, namespace, md.name ?? '');
    applyDefaults(def, obj, true, this);
    if (def.custom && def.schema) pruneAndDefault(def.schema, obj);
    validate(def, obj, def.custom ? schemaCauses(def.schema, obj) : []);
    if (this.storage.get(this.key(def), def.namespaced ? namespace : '', md.name)) throw alreadyExists(def.group, def.resource, md.name);
    const req = this.admit('CREATE', def, '', namespace, obj, undefined, ctx);
    const final = req ? req.object : obj;
    if (ctx.fieldManager && !managedAlready) {
      const mf = trackUpdate(undefined, final, this.managerOpts(def, ctx.fieldManager, ''));
      if (mf) final.metadata.managedFields = mf;
    }
    if (ctx.dryRun) return deepFreeze(ordered(final));
    const stored = this.storage.put(this.key(def), ordered(final), 'ADDED');
    this.fire(def, 'ADDED', stored);
    this.afterWrite(req);
    return stored;
  }

  /**
   * Replace an object (PUT). `subresource` 'status' replaces only the status; '' replaces everything
   * but the status for kinds with a status subresource.
   */
  update(group: string, resource: string, namespace: string, name: string, body: any, ctx: WriteContext = {}, subresource = ''): any {
    const def = this.def(group, resource);
    const ns = def.namespaced ? namespace : '';
    const old = this.storage.get(this.key(def), ns, name);
    if (!old) throw notFound(def.group, def.resource, name);
    const obj = this.prepareNew(def, namespace, body);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    obj.metadata.name = name;
    return this.updatePrepared(def, old, obj, ctx, subresource, false);
  }

  private updatePrepared(def: ResourceDef, old: any, obj: any, ctx: WriteContext, subresource: string, managedAlready: boolean): any {
    const name = old.metadata.name;
    const namespace = old.metadata.namespace ?? '';
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(def.group, def.resource, name);

    let next: any;
    const requestedFinalizers = obj.spec?.finalizers;
    if (subresource === 'status') {
      next = structuredClone(old);
      next.status = obj.status;
      if (obj.status === undefined) delete next.status;
      if (managedAlready) next.metadata.managedFields = obj.metadata.managedFields;
    } else {
      next = obj;
      const md = next.metadata;
      for (const f of SYSTEM_META) {
        if (old.metadata[f] !== undefined) md[f] = old.metadata[f];
        else delete md[f];
      }
      if (!managedAlready) md.managedFields = old.metadata.managedFields;
      if (md.managedFields === undefined) delete md.managedFields;
      if (def.hasStatus) {
        if (old.status !== undefined) next.status = structuredClone(old.status);
        else delete next.status;
      }
      if (old.metadata.deletionTimestamp) {
        const added = (md.finalizers ?? []).filter((f: string) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length) {
          const list = `[]string{${added.map((f: string) => JSON.stringify(f)).join(', ')}}`;
          throw invalidObject(def.group, def.kind, name, [{ reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${list}`, field: 'metadata.finalizers' }]);
        }
      }
      applyDefaults(def, next, false, this, old);
      if (def.kind === 'Namespace') {
        next.spec = old.spec; // spec.finalizers only change through /finalize
        next.status = old.status;
      }
    }
    if (subresource === 'finalize') {
      next = structuredClone(old);
      next.spec = { ...(old.spec ?? {}), finalizers: requestedFinalizers ?? [] };
    }
    if (def.custom && def.schema) pruneAndDefault(def.schema, next);
    validate(def, next, def.custom ? schemaCauses(def.schema, next) : []);
    if (subresource === '') validateUpdate(def, next, old);
    if (def.generation && subresource === '' && !sameContent(specOf(old), specOf(next))) next.metadata.generation = (old.metadata.generation ?? 0) + 1;

    const req = this.admit('UPDATE', def, subresource, namespace, next, old, ctx);
    const final = req ? req.object : next;
    if (ctx.fieldManager && !managedAlready) {
      const mf = trackUpdate(old, final, this.managerOpts(def, ctx.fieldManager, subresource));
      if (mf) final.metadata.managedFields = mf;
      else delete final.metadata.managedFields;
    }
    const untimed = (mf: any[] | undefined) => mf?.map(({ time: _t, ...rest }) => rest);
    const cmpOld = { ...old, metadata: { ...old.metadata, resourceVersion: undefined, managedFields: untimed(old.metadata.managedFields) } };
    const cmpNew = { ...final, metadata: { ...final.metadata, resourceVersion: undefined, managedFields: untimed(final.metadata.managedFields) } };
    if (sameContent(ordered(cmpOld), ordered(cmpNew))) return old; // no-op update: kube-apiserver does not bump resourceVersion
    if (ctx.dryRun) return deepFreeze(ordered(final));
    const stored = this.storage.put(this.key(def), ordered(final), 'MODIFIED');
    this.fire(def, 'MODIFIED', stored);
    this.afterWrite(req);
    return this.maybeFinalize(def, stored);
  }

  /** An object being deleted whose finalizers are all gone is removed. */
  private maybeFinalize(def: ResourceDef, obj: any): any {
    if (!obj.metadata.deletionTimestamp) return obj;
    if ((obj.metadata.finalizers ?? []).length > 0) return obj;
    if (def.kind === 'Namespace' && (obj.spec?.finalizers ?? []).length > 0) return obj;
    return this.removeNow(def, obj);
  }

  /** Removes an object now; `req` is the admission request of a DELETE that removes it at once. */
  private removeNow(def: ResourceDef, obj: any, req?: AdmissionRequest): any {
    const last = this.storage.remove(this.key(def), obj.metadata.namespace ?? '', obj.metadata.name);
    if (!last) return obj;
    this.fire(def, 'DELETED', last);
    for (const h of this.removedHooks) h(def, last);
    this.afterWrite(req ?? this.admit('DELETE', def, '', obj.metadata.namespace ?? '', undefined, obj, {}));
    return last;
  }

  private fire(def: ResourceDef, type: WatchEventType, obj: any) {
    for (const h of this.writeHooks) h(def, type, obj);
  }

  /** Patch (json, merge, strategic) or server-side apply. Apply creates the object when absent. */
  patch(group: string, resource: string, namespace: string, name: string, patchType: string, patch: string | object, ctx: WriteContext & { force?: boolean } = {}, subresource = ''): { object: any; created: boolean } {
    const def = this.def(group, resource);
    const ns = def.namespaced ? namespace : '';
    const old = this.storage.get(this.key(def), ns, name);
    const type = patchType.split(';')[0].trim();
    if (type === PATCH_TYPES.apply) {
      if (!ctx.fieldManager) throw invalidObject('meta.k8s.io', 'PatchOptions', '', [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }]);
      let config: any;
      try {
        config = typeof patch === 'string' ? parseYaml(patch) : patch;
      } catch (e: any) {
        throw badRequest(`error decoding YAML: ${e.message}`);
      }
      if (!config || typeof config !== 'object' || Array.isArray(config)) throw badRequest('error decoding YAML: object expected');
      if (config.apiVersion !== apiVersionOf(def) && !(def.custom && this.servedVersion(def, config.apiVersion)))
        throw badRequest(`the API version in the data (${config.apiVersion ?? ''}) does not match the expected API version (${apiVersionOf(def)})`);
      if (config.kind !== def.kind) throw badRequest(`the kind in the data (${config.kind ?? ''}) does not match the expected kind (${def.kind})`);
      config.metadata ??= {};
      if (config.metadata.name !== undefined && config.metadata.name !== name) throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
      if (def.namespaced && config.metadata.namespace && config.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      config.metadata.name = name;
      if (def.namespaced) config.metadata.namespace = namespace;
      else delete config.metadata.namespace;
      if (def.kind === 'Secret' && config.stringData) applyDefaults(def, config, false, this);
      const rvPre = config.metadata.resourceVersion;
      delete config.metadata.resourceVersion;
      if (old && rvPre && rvPre !== old.metadata.resourceVersion) throw conflict(def.group, def.resource, name);
      const mo = this.managerOpts(def, ctx.fieldManager, subresource);
      if (!old) {
        if (subresource) throw notFound(def.group, def.resource, name);
        const created = serverSideApply(undefined, config, !!ctx.force, mo);
        return { object: this.createPrepared(def, created, ctx, true), created: true };
      }
      const applied = serverSideApply(structuredClone(old), config, !!ctx.force, mo);
      return { object: this.updatePrepared(def, old, applied, ctx, subresource, true), created: false };
    }
    if (!old) throw notFound(def.group, def.resource, name);
    let body: any;
    try {
      body = typeof patch === 'string' ? JSON.parse(patch) : patch;
    } catch (e: any) {
      throw badRequest(`error decoding patch: ${e.message}`);
    }
    const current = this.typed(def, structuredClone(old));
    let next: any;
    if (type === PATCH_TYPES.json) next = applyJsonPatch(current, body);
    else if (type === PATCH_TYPES.merge) {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      next = applyMergePatch(current, body);
    } else if (type === PATCH_TYPES.strategic) {
      if (def.custom) throw unsupportedPatch(true);
      next = applyStrategicPatch(current, body);
    } else throw unsupportedPatch(def.custom);
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw badRequest('the patched object is not an object');
    next.metadata ??= {};
    if (next.metadata.name !== name) throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    checkTypeMeta(def, next);
    const obj = this.prepareNew(def, namespace, next);
    return { object: this.updatePrepared(def, old, obj, ctx, subresource, false), created: false };
  }

  private servedVersion(def: ResourceDef, apiVersion: string): boolean {
    return this.registry.all().some((d) => d.group === def.group && d.resource === def.resource && apiVersionOf(d) === apiVersion);
  }

  /**
   * DELETE. Returns the deleted object, or the object still present with deletionTimestamp when
   * finalizers (or foreground/orphan propagation) hold it.
   */
  delete(group: string, resource: string, namespace: string, name: string, opts: DeleteOptions = {}, ctx: WriteContext = {}): { object: any; deleted: boolean } {
    const def = this.def(group, resource);
    const ns = def.namespaced ? namespace : '';
    const old = this.storage.get(this.key(def), ns, name);
    if (!old) throw notFound(def.group, def.resource, name);
    if (def.group === '' && def.resource === 'namespaces' && IMMORTAL_NAMESPACES.includes(name))
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid)
      throw conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(def.group, def.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    const req = this.admit('DELETE', def, '', namespace, undefined, old, ctx);
    if (ctx.dryRun) return { object: old, deleted: true };

    let policy = opts.propagationPolicy;
    if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
    const finalizers: string[] = [...(old.metadata.finalizers ?? [])];
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');

    if (old.metadata.deletionTimestamp) {
      // already terminating: kube-apiserver answers with the current object (finalizer changes only)
      if (finalizers.length !== (old.metadata.finalizers ?? []).length) {
        const next = structuredClone(old);
        next.metadata.finalizers = finalizers;
        const stored = this.storage.put(this.key(def), next, 'MODIFIED');
        this.fire(def, 'MODIFIED', stored);
        return { object: stored, deleted: false };
      }
      return { object: old, deleted: false };
    }
    const held = finalizers.length > 0 || def.kind === 'Namespace';
    if (held) {
      const next = structuredClone(old);
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (finalizers.length) next.metadata.finalizers = finalizers;
      if (next.metadata.generation !== undefined) next.metadata.generation++;
      if (def.kind === 'Namespace') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      const stored = this.storage.put(this.key(def), next, 'MODIFIED');
      this.fire(def, 'MODIFIED', stored);
      this.afterWrite(req);
      return { object: stored, deleted: false };
    }
    this.removeNow(def, old, req);
    // kube-apiserver answers with the object as it was stored before the delete (etcd's previous revision)
    return { object: old, deleted: true };
  }

  /** DELETE on a collection: deletes every matching object, returns the list of deleted objects. */
  deleteCollection(group: string, resource: string, namespace: string, opts: ListOptions, delOpts: DeleteOptions = {}, ctx: WriteContext = {}): ListResult {
    const { items } = this.query(group, resource, { ...opts, namespace, limit: undefined, continue: undefined });
    const out: any[] = [];
    for (const o of items) {
      try {
        out.push(this.delete(group, resource, o.metadata.namespace ?? '', o.metadata.name, delOpts, ctx).object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return { items: out, resourceVersion: String(this.storage.resourceVersion) };
  }

  /** ObjectWriter: replace the status of an object (system write, no admission). */
  updateStatus(group: string, resource: string, namespace: string, name: string, status: unknown): void {
    const def = this.def(group, resource);
    const old = this.storage.get(this.key(def), def.namespaced ? namespace : '', name);
    if (!old) return;
    if (sameContent(old.status, status)) return;
    const next = structuredClone(old);
    next.status = structuredClone(status);
    const stored = this.storage.put(this.key(def), ordered(next), 'MODIFIED');
    this.fire(def, 'MODIFIED', stored);
  }

  /** Internal write of a whole object bypassing validation (controllers that need raw control). */
  putRaw(group: string, resource: string, obj: any): any {
    const def = this.def(group, resource);
    const existed = this.storage.get(this.key(def), def.namespaced ? obj.metadata.namespace : '', obj.metadata.name);
    const o = ordered(structuredClone(obj));
    o.metadata.uid ??= existed?.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp ??= existed?.metadata.creationTimestamp ?? now();
    const stored = this.storage.put(this.key(def), o, existed ? 'MODIFIED' : 'ADDED');
    this.fire(def, existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  /** Remove immediately, ignoring finalizers (used by namespace cleanup / GC when allowed). */
  removeObject(group: string, resource: string, namespace: string, name: string): any | undefined {
    const def = this.def(group, resource);
    const o = this.storage.get(this.key(def), def.namespaced ? namespace : '', name);
    return o && this.removeNow(def, o);
  }

  // ---- watch ----

  /**
   * Watch a resource. Calls `onEvent` synchronously for the initial state (ADDED for every object when
   * no resourceVersion is given, or replayed events after it), then for each change.
   * Throws 410 Expired when the resourceVersion is older than the retained window.
   */
  watch(group: string, resource: string, opts: WatchOptions, onEvent: (type: WatchEventType, obj: any, ev?: StoredEvent) => void): WatchHandle {
    const def = this.def(group, resource);
    const key = this.key(def);
    const filter: Filter = { labels: parseLabelSelector(opts.labelSelector), fields: parseFieldSelector(opts.fieldSelector, def) };
    const nsFilter = def.namespaced ? opts.namespace || undefined : undefined;
    const inScope = (o: any) => (nsFilter === undefined || o.metadata.namespace === nsFilter) && (!opts.name || o.metadata.name === opts.name) && matches(filter, o);
    const deliver = (ev: StoredEvent) => {
      const now = inScope(ev.object);
      const before = ev.prev ? inScope(ev.prev) : false;
      if (ev.type === 'DELETED') {
        if (before || now) onEvent('DELETED', ev.object, ev);
      } else if (ev.type === 'ADDED') {
        if (now) onEvent('ADDED', ev.object, ev);
      } else if (now && before) onEvent('MODIFIED', ev.object, ev);
      else if (now) onEvent('ADDED', ev.object, ev);
      else if (before) onEvent('DELETED', ev.object, ev);
    };
    const rvStr = opts.resourceVersion;
    let replay: StoredEvent[] = [];
    let initial: any[] | undefined;
    if (!rvStr || rvStr === '0') initial = this.storage.list(key, nsFilter).filter(inScope);
    else {
      const rv = Number(rvStr);
      if (!Number.isFinite(rv)) throw badRequest(`invalid resource version: ${rvStr}`);
      replay = this.storage.eventsSince(key, rv);
    }
    let stopped = false;
    const unsubscribe = this.storage.subscribe(key, (ev) => {
      if (!stopped) deliver(ev);
    });
    if (initial) for (const o of initial) onEvent('ADDED', o);
    for (const ev of replay) deliver(ev);
    return {
      stop() {
        stopped = true;
        unsubscribe();
      },
    };
  }

  get resourceVersion(): string {
    return String(this.storage.resourceVersion);
  }

  /** Forget retained watch events: older resourceVersions answer 410 Gone (for tests). */
  compact() {
    this.storage.compact();
  }
}

function checkTypeMeta(def: ResourceDef, body: any) {
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(def) && !def.custom)
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(def)})`);
  if (body.kind !== undefined && body.kind !== def.kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
}

function unsupportedPatch(custom?: boolean) {
  const types = custom
    ? 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'
    : 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml';
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${types}`);
}

const keyOf = (o: any) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
function splitKey(k: string): [string, string] {
  const i = k.indexOf('/');
  return i < 0 ? ['', k] : [k.slice(0, i), k.slice(i + 1)];
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(tok: string): { rv: number; start: string } {
  try {
    const j = JSON.parse(Buffer.from(tok, 'base64url').toString('utf8'));
    if (j.v !== 'meta.k8s.io/v1' || typeof j.rv !== 'number' || typeof j.start !== 'string') throw new Error('bad');
    return j;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function expiredContinue() {
  return gone(
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
}
