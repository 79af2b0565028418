/**
 * Container image references, checked with the grammar of the OCI distribution reference:
 * `[registry[:port]/]repository[:tag][@sha256:<64 hex>]`, repository path components lower-case.
 */

export interface ImageReference {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export type ImageCheck = { ok: true; reference: ImageReference } | { ok: false; reason: string };

const NAME_MAX_LENGTH = 255;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** As Docker decides it: the first path component names a registry when it has a dot or a port, or is localhost. */
function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

export function parseImageReference(text: string): ImageCheck {
  const fail = (reason: string): ImageCheck => ({ ok: false, reason });
  if (text === '') return fail('must not be empty');
  if (/\s/.test(text)) return fail('must not contain whitespace');

  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) return fail('the digest must be sha256: followed by 64 lower-case hex digits');
  let name = at === -1 ? text : text.slice(0, at);

  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return fail(`tag "${tag}" must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`);
  }
  if (name.length > NAME_MAX_LENGTH) return fail(`the name must be no more than ${NAME_MAX_LENGTH} characters`);

  const components = name.split('/');
  let registry: string | undefined;
  if (components.length > 1 && looksLikeRegistry(components[0])) {
    registry = components.shift();
    if (!REGISTRY.test(registry!)) return fail(`registry "${registry}" is not a valid host[:port]`);
  }
  const repository = components.join('/');
  for (const component of components) {
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) return fail(`repository "${repository}" must be lower-case`);
    return fail(
      `repository "${repository}" must be path components of lower-case letters and digits separated by '/', joined by '.', '_', '__' or '-'`,
    );
  }
  const reference: ImageReference = { repository };
  if (registry !== undefined) reference.registry = registry;
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return { ok: true, reference };
}
