import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import {
  DNS1123_LABEL_ERROR,
  isReservedNamespaceName,
  validateDescription,
  validateDisplayName,
  validateDnsLabel,
  validateNamespaceName,
} from '../../domain/names';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('expected a DomainError');
}

describe('validateDnsLabel', () => {
  it.each(['a', 'prod', 'my-name', '123-abc', '0', 'a'.repeat(63)])('accepts %j', (value) => {
    expect(validateDnsLabel(value, 'name')).toBe(value);
  });

  it("uses Kubernetes' exact wording", () => {
    expect(DNS1123_LABEL_ERROR).toBe(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
    expect(messageOf(() => validateDnsLabel('My_Name', 'metadata.name'))).toBe(
      `metadata.name: Invalid value: "My_Name": ${DNS1123_LABEL_ERROR}`,
    );
  });

  it.each(['Prod', '-a', 'a-', 'a.b', 'a_b', 'ä', ' a'])('refuses %j with the field named', (value) => {
    let caught: DomainError | undefined;
    try {
      validateDnsLabel(value, 'clusterId');
    } catch (error) {
      caught = error as DomainError;
    }
    expect(caught?.code).toBe('invalid');
    expect(caught?.field).toBe('clusterId');
    expect(caught?.message).toBe(`clusterId: Invalid value: ${JSON.stringify(value)}: ${DNS1123_LABEL_ERROR}`);
  });

  it('refuses more than 63 characters', () => {
    expect(messageOf(() => validateDnsLabel('a'.repeat(64), 'name'))).toBe(
      `name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    );
  });

  it('refuses an empty or missing value as required', () => {
    expect(messageOf(() => validateDnsLabel('', 'name'))).toBe('name: Required value');
    expect(messageOf(() => validateDnsLabel(undefined, 'name'))).toBe('name: Required value');
    expect(messageOf(() => validateDnsLabel(42, 'name'))).toMatch(/^name: /);
  });
});

describe('validateDisplayName', () => {
  it('accepts human names, Chinese included', () => {
    expect(validateDisplayName('Production (Shanghai)', 'displayName')).toBe('Production (Shanghai)');
    expect(validateDisplayName('生产集群', 'displayName')).toBe('生产集群');
  });

  it('refuses empty, blank, too long, control characters and surrounding whitespace', () => {
    expect(messageOf(() => validateDisplayName('', 'displayName'))).toBe('displayName: Required value');
    expect(messageOf(() => validateDisplayName('   ', 'displayName'))).toBe('displayName: must not be blank');
    expect(messageOf(() => validateDisplayName('x'.repeat(101), 'displayName'))).toBe(
      'displayName: must be no more than 100 characters',
    );
    expect(messageOf(() => validateDisplayName('a\u0000b', 'displayName'))).toBe('displayName: must not contain control characters');
    expect(messageOf(() => validateDisplayName(' a', 'displayName'))).toBe('displayName: must not start or end with whitespace');
  });
});

describe('validateDescription', () => {
  it('allows empty text and line breaks, refuses control characters and overlong text', () => {
    expect(validateDescription('', 'description')).toBe('');
    expect(validateDescription('line 1\nline 2\ttab', 'description')).toBe('line 1\nline 2\ttab');
    expect(messageOf(() => validateDescription('bell\u0007', 'description'))).toBe('description: must not contain control characters');
    expect(messageOf(() => validateDescription('x'.repeat(1001), 'description'))).toMatch(/no more than 1000/);
  });
});

describe('reserved namespace names', () => {
  it.each(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-anything'])('%s is reserved', (name) => {
    expect(isReservedNamespaceName(name)).toBe(true);
    expect(messageOf(() => validateNamespaceName(name, 'name'))).toBe(
      `name: "${name}" is reserved (default and names starting with "kube-" belong to Kubernetes)`,
    );
  });

  it.each(['kube', 'kubeflow', 'my-kube-app', 'defaults'])('%s is not reserved', (name) => {
    expect(validateNamespaceName(name, 'name')).toBe(name);
  });
});
