/** kube-apiserver's metav1.Status errors, shaped exactly as the real server sends them. */

export interface StatusCause {
  reason: string; // e.g. 'FieldValueInvalid', 'FieldValueRequired'
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
    };
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

/** `kind` is the lowercase plural resource as kube-apiserver puts it in details.kind (e.g. "pods"). */
export const notFound = (group: string, resource: string, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });

export const alreadyExists = (group: string, resource: string, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });

export const conflict = (group: string, resource: string, name: string, detail = 'the object has been modified; please apply your changes to the latest version and try again') =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${detail}`, { name, group: group || undefined, kind: resource });

export const forbidden = (message: string, details?: StatusDetails) => new StatusError(403, 'Forbidden', message, details);

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  new StatusError(405, 'MethodNotAllowed', message);

export const gone = (message: string) => new StatusError(410, 'Expired', message);

/**
 * 422 Invalid, e.g. `Pod "x" is invalid: metadata.name: Invalid value: "X": a lowercase RFC 1123 ...`.
 * `kind` here is the Kind (e.g. "Pod"), as kube-apiserver writes it in this message.
 */
export function invalid(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/**
 * 422 Invalid exactly as apierrors.NewInvalid words it: the message names the group-qualified kind
 * (`Deployment.apps "x" is invalid: ...`, `ConfigMap "x" is invalid: ...`); details.kind is the bare Kind.
 */
export function invalidObject(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
  const e = invalid(group, kind, name, causes);
  const details = { ...e.details };
  if (!name) delete details.name; // Go's omitempty
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${qualifiedKind}${e.message.slice(kind.length)}`, details);
}
