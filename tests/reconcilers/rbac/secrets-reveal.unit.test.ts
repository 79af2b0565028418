import { describe, expect, it } from 'vitest';
import { rulesFor } from '../../../reconcilers/rbac/desired';
import { builtInRoles } from '../../../domain/permissions';

const allows = (rules: ReturnType<typeof rulesFor>, verb: string, resource: string) =>
  rules.some((r) => r.apiGroups.includes('') && r.resources.includes(resource) && r.verbs.includes(verb));

describe('secrets:reveal', () => {
  it('is held by platform-admin, ops-engineer and developer only', () => {
    const holders = Object.entries(builtInRoles)
      .filter(([, role]) => (role.permissions as readonly string[]).includes('secrets:reveal'))
      .map(([id]) => id);
    expect(holders.sort()).toEqual(['developer', 'ops-engineer', 'platform-admin']);
  });

  it('maps to reading secrets in Kubernetes, nothing more', () => {
    const rules = rulesFor(['secrets:reveal']);
    expect(rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]);
    expect(allows(rulesFor(['workloads:read', 'namespaces:read']), 'get', 'secrets')).toBe(false);
  });
});

describe('a tester (apps:deploy without secrets:reveal)', () => {
  it('cannot read Secret values through Kubernetes either', () => {
    const rules = rulesFor(builtInRoles.tester.permissions);
    expect(allows(rules, 'get', 'secrets')).toBe(false);
    expect(allows(rules, 'list', 'secrets')).toBe(false);
    expect(allows(rules, 'create', 'secrets')).toBe(true);
  });
});
