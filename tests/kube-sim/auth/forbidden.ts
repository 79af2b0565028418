/** kube-apiserver's authorization 403 (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go). */
import { StatusError } from '../errors';
import type { RequestAttributes } from '../hooks';

/** forbiddenMessage(): `User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"`. */
export function forbiddenMessage(attrs: RequestAttributes): string {
  const user = JSON.stringify(attrs.user?.name ?? '');
  if (!attrs.isResourceRequest) return `User ${user} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${where}`;
}

/**
 * responsewriters.Forbidden + apierrors.NewForbidden: message
 *   `<resource>[.<group>] ["<name>" ]is forbidden: <forbiddenMessage>[: <reason>]`
 * or `forbidden: ...` for non-resource requests; details {name, group, kind: resource}.
 */
export function forbiddenError(attrs: RequestAttributes, reason?: string): StatusError {
  // responsewriters' sanitizer HTML-escapes &, < and > in the message (not in the reason).
  const msg = forbiddenMessage(attrs).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const err = reason ? `${msg}: ${reason}` : msg;
  const resource = attrs.isResourceRequest ? attrs.resource : '';
  const group = attrs.isResourceRequest ? attrs.apiGroup : '';
  const name = attrs.isResourceRequest ? attrs.name : '';
  let message: string;
  if (!resource && !group) message = `forbidden: ${err}`;
  else {
    const qualified = group ? `${resource}.${group}` : resource;
    message = name ? `${qualified} ${JSON.stringify(name)} is forbidden: ${err}` : `${qualified} is forbidden: ${err}`;
  }
  // Go's StatusDetails has omitempty on name/group/kind; details itself is always present.
  const details: { name?: string; group?: string; kind?: string } = {};
  if (name) details.name = name;
  if (group) details.group = group;
  if (resource) details.kind = resource;
  return new StatusError(403, 'Forbidden', message, details);
}
