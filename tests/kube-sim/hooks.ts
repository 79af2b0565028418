/**
 * Seams between kube-sim's HTTP/storage core and the parts that plug into it
 * (authentication/authorization in ./auth, admission in ./admission, controllers in part 2).
 */

export interface UserInfo {
  name: string;
  groups: string[];
}

/** Request attributes exactly as kube-apiserver's authorizer sees them. */
export interface RequestAttributes {
  user: UserInfo;
  verb: string; // get list watch create update patch delete deletecollection impersonate ...
  isResourceRequest: boolean;
  path: string;
  apiGroup: string; // '' for core
  apiVersion: string;
  resource: string; // plural, e.g. 'pods'
  subresource: string; // '' or 'log', 'exec', 'status', 'scale'
  namespace: string; // '' for cluster-scoped
  name: string; // '' for collection requests
}

export type AuthzDecision = { allowed: true } | { allowed: false; reason: string };

/** Read access to the stored objects that auth and admission need (RBAC objects, quotas, limit ranges, pods...). */
export interface ObjectReader {
  list(group: string, resource: string, namespace?: string): any[];
  get(group: string, resource: string, namespace: string, name: string): any | undefined;
}

export interface Authenticator {
  /** null = anonymous/unknown token (401). */
  authenticate(headers: Record<string, string | string[] | undefined>): UserInfo | null;
}

export interface Authorizer {
  authorize(attrs: RequestAttributes, objects: ObjectReader): AuthzDecision;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  object: any; // the object being written (mutable by mutating plugins)
  oldObject?: any;
  user: UserInfo;
}

/** A plugin throws a StatusError (see the core's errors module) to refuse; may mutate req.object. */
export interface AdmissionPlugin {
  name: string;
  admit(req: AdmissionRequest, objects: ObjectReader): void;
  /** Called after a successful write/delete so plugins can keep derived state (e.g. ResourceQuota status.used) current. */
  afterWrite?(req: AdmissionRequest, objects: ObjectReader, writer: ObjectWriter): void;
}

export interface ObjectWriter {
  /** Replace the status of an object (bumps resourceVersion, emits a watch event). */
  updateStatus(group: string, resource: string, namespace: string, name: string, status: unknown): void;
}
