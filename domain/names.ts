/** Names: RFC 1123 labels (with Kubernetes' own wording) and human display names. */
import { DomainError, invalid } from './errors';

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_LABEL_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_PATTERN}$`);

/** Word for word what Kubernetes (apimachinery validation.IsDNS1123Label) says, double space included. */
export const DNS1123_LABEL_ERROR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Kubernetes' reasons a value is not a DNS-1123 label; [] when it is one. */
export function dnsLabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errors.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`);
  if (!DNS1123_LABEL.test(value)) errors.push(DNS1123_LABEL_ERROR);
  return errors;
}

/**
 * Returns the value when it is an RFC 1123 label, else throws a DomainError 'invalid' formatted as
 * Kubernetes formats a field error: `name: Invalid value: "Foo": a lowercase RFC 1123 label …`.
 */
export function validateDnsLabel(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new DomainError('invalid', `${field}: Required value`, { field });
  }
  if (typeof value !== 'string') throw invalid(field, `Invalid value: expected a string, got ${typeof value}`);
  const errors = dnsLabelErrors(value);
  if (errors.length > 0) {
    throw new DomainError('invalid', `${field}: Invalid value: ${JSON.stringify(value)}: ${errors.join('; ')}`, {
      field,
      details: { reasons: errors },
    });
  }
  return value;
}

export const DISPLAY_NAME_MAX_LENGTH = 100;

/** A display name: 1..100 characters, no control characters, no leading or trailing whitespace. */
export function validateDisplayName(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new DomainError('invalid', `${field}: Required value`, { field });
  }
  if (typeof value !== 'string') throw invalid(field, `expected a string, got ${typeof value}`);
  if (value.trim() === '') throw invalid(field, 'must not be blank');
  if ([...value].length > DISPLAY_NAME_MAX_LENGTH) {
    throw invalid(field, `must be no more than ${DISPLAY_NAME_MAX_LENGTH} characters`);
  }
  if (/\p{Cc}/u.test(value)) throw invalid(field, 'must not contain control characters');
  if (value.trim() !== value) throw invalid(field, 'must not start or end with whitespace');
  return value;
}

export const DESCRIPTION_MAX_LENGTH = 1000;

/** Free text: may be empty, at most 1000 characters, line breaks and tabs allowed. */
export function validateDescription(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(field, `expected a string, got ${typeof value}`);
  if ([...value].length > DESCRIPTION_MAX_LENGTH) {
    throw invalid(field, `must be no more than ${DESCRIPTION_MAX_LENGTH} characters`);
  }
  if (/[^\P{Cc}\n\r\t]/u.test(value)) throw invalid(field, 'must not contain control characters');
  return value;
}

/** Namespace names Kubernetes owns or that Bosun keeps away from tenants. */
export const RESERVED_NAMESPACE_NAMES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function isReservedNamespaceName(name: string): boolean {
  return RESERVED_NAMESPACE_NAMES.includes(name) || name.startsWith('kube-');
}

/** An RFC 1123 label that is not reserved. */
export function validateNamespaceName(value: unknown, field: string): string {
  const name = validateDnsLabel(value, field);
  if (isReservedNamespaceName(name)) {
    throw invalid(field, `"${name}" is reserved (default and names starting with "kube-" belong to Kubernetes)`);
  }
  return name;
}
