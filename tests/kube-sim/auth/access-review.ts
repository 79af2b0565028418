/**
 * SelfSubjectAccessReview / SubjectAccessReview / LocalSubjectAccessReview / SelfSubjectRulesReview
 * (pkg/registry/authorization/*). The core authorizes `create` on the review resource itself.
 */
import { badRequest, StatusError } from '../errors';
import type { Authorizer, ObjectReader, RequestAttributes, UserInfo } from '../hooks';
import { clusterRoleRules, type PolicyRule, SYSTEM_MASTERS, visitRulesFor } from './rbac';

const GROUP = 'authorization.k8s.io';

interface FieldErr {
  field: string;
  value: string;
  detail: string;
}

function invalidReview(kind: string, errs: FieldErr[]): StatusError {
  const causes = errs.map((e) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${e.value}: ${e.detail}`, field: e.field }));
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}.${GROUP} "" is invalid: ${joined}`, { group: GROUP, kind, causes });
}

/** Go's %#v-ish rendering of the bad value is approximated; nil pointers print as "null". */
const shown = (v: unknown) => (v == null ? '"null"' : JSON.stringify(JSON.stringify(v)));

function validateSpec(spec: any, requireSubject: boolean): FieldErr[] {
  const errs: FieldErr[] = [];
  const ra = spec?.resourceAttributes;
  const nra = spec?.nonResourceAttributes;
  if (ra && nra) errs.push({ field: 'spec.nonResourceAttributes', value: shown(nra), detail: 'cannot be specified in combination with resourceAttributes' });
  if (!ra && !nra) errs.push({ field: 'spec.resourceAttributes', value: shown(nra), detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  if (requireSubject && !spec?.user && !(spec?.groups?.length > 0)) errs.push({ field: 'spec.user', value: JSON.stringify(spec?.user ?? ''), detail: 'at least one of user or group must be specified' });
  return errs;
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom */
export function attributesFrom(user: UserInfo, spec: any): RequestAttributes {
  const ra = spec.resourceAttributes;
  if (ra) {
    return {
      user,
      verb: ra.verb ?? '',
      isResourceRequest: true,
      path: '',
      apiGroup: ra.group ?? '',
      apiVersion: ra.version || '*',
      resource: ra.resource ?? '',
      subresource: ra.subresource ?? '',
      namespace: ra.namespace ?? '',
      name: ra.name ?? '',
    };
  }
  const nra = spec.nonResourceAttributes ?? {};
  return {
    user,
    verb: nra.verb ?? '',
    isResourceRequest: false,
    path: nra.path ?? '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
}

function review(kind: string, body: any, spec: any, user: UserInfo, authorizer: Authorizer, objects: ObjectReader): any {
  const d = authorizer.authorize(attributesFrom(user, spec), objects) as { allowed: boolean; reason?: string; denied?: boolean };
  const status: Record<string, unknown> = { allowed: d.allowed };
  if (d.denied) status.denied = true;
  if (d.reason) status.reason = d.reason;
  return {
    kind,
    apiVersion: `${GROUP}/v1`,
    metadata: { ...(body?.metadata ?? {}), creationTimestamp: null },
    spec,
    status,
  };
}

/**
 * Evaluates an access review. `kind` is the Kind (SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectRulesReview); `namespace` is the request path's namespace
 * (LocalSubjectAccessReview only). Throws the real 400/422 Status errors on bad input.
 */
export function handleAccessReview(kind: string, body: any, requester: UserInfo, authorizer: Authorizer, objects: ObjectReader, namespace?: string): any {
  const spec = body?.spec ?? {};
  switch (kind) {
    case 'SelfSubjectAccessReview': {
      const errs = validateSpec(spec, false);
      if (errs.length) throw invalidReview(kind, errs);
      return review(kind, body, spec, requester, authorizer, objects);
    }
    case 'SubjectAccessReview': {
      const errs = validateSpec(spec, true);
      if (errs.length) throw invalidReview(kind, errs);
      return review(kind, body, spec, subjectOf(spec), authorizer, objects);
    }
    case 'LocalSubjectAccessReview': {
      const ns = namespace ?? body?.metadata?.namespace ?? '';
      if (!ns) throw badRequest(`namespace is required on this type: ${ns}`);
      const errs = validateSpec(spec, true);
      if (spec.nonResourceAttributes) errs.push({ field: 'spec.nonResourceAttributes', value: shown(spec.nonResourceAttributes), detail: 'disallowed on this kind of request' });
      if (body?.metadata?.namespace && body.metadata.namespace !== ns) {
        // The generic create handler refuses a body namespace that differs from the path's.
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (errs.length) throw invalidReview(kind, errs);
      if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== ns) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ns}`);
      }
      const out = review(kind, body, spec, subjectOf(spec), authorizer, objects);
      out.metadata = { ...out.metadata, namespace: ns };
      return out;
    }
    case 'SelfSubjectRulesReview':
      return rulesReview(body, requester, objects);
    default:
      throw badRequest(`not an access review kind: ${kind}`);
  }
}

function subjectOf(spec: any): UserInfo {
  return { name: spec.user ?? '', groups: Array.isArray(spec.groups) ? [...spec.groups] : [] };
}

/** SelfSubjectRulesReview via the RBAC rule resolver (RulesFor). */
function rulesReview(body: any, user: UserInfo, objects: ObjectReader): any {
  const namespace = body?.spec?.namespace ?? '';
  if (!namespace) {
    throw new StatusError(400, 'BadRequest', 'no namespace on request');
  }
  let rules: PolicyRule[] = [];
  const errors: string[] = [];
  if (user.groups.includes(SYSTEM_MASTERS)) {
    // The privileged-group authorizer reports everything allowed.
    rules = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
  }
  visitRulesFor(objects, user, namespace, (_s, rule, err) => {
    if (rule) rules.push(rule);
    if (err) errors.push(err);
    return true;
  });
  void clusterRoleRules;
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map((r) => {
      const o: any = { verbs: r.verbs ?? [] };
      if (r.apiGroups) o.apiGroups = r.apiGroups;
      if (r.resources) o.resources = r.resources;
      if (r.resourceNames?.length) o.resourceNames = r.resourceNames;
      return o;
    });
  const nonResourceRules = rules
    .filter((r) => r.nonResourceURLs?.length)
    .map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs }));
  const status: any = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length) status.evaluationError = errors.length === 1 ? errors[0] : `[${[...new Set(errors)].join(', ')}]`;
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: `${GROUP}/v1`,
    metadata: { ...(body?.metadata ?? {}), creationTimestamp: null },
    spec: body?.spec ?? {},
    status,
  };
}
