import { describe, expect, it } from 'vitest';
import { parseStreamId, streamIds } from '../../domain/streams';

describe('stream ids', () => {
  it('are <category>-<id>, a namespace joined to its cluster by a dot', () => {
    expect(streamIds.cluster('prod')).toBe('cluster-prod');
    expect(streamIds.workspace('team-a')).toBe('workspace-team-a');
    expect(streamIds.namespace('prod', 'web')).toBe('namespace-prod.web');
  });

  it('parse back unambiguously', () => {
    expect(parseStreamId('cluster-prod')).toEqual({ category: 'cluster', clusterId: 'prod' });
    expect(parseStreamId('workspace-team-a')).toEqual({ category: 'workspace', workspaceId: 'team-a' });
    expect(parseStreamId('namespace-prod-1.web-app')).toEqual({ category: 'namespace', clusterId: 'prod-1', name: 'web-app' });
    expect(parseStreamId('namespace-prod')).toBeNull();
    expect(parseStreamId('user-alice')).toEqual({ category: 'user', userId: 'alice' });
    expect(parseStreamId('group-ops team')).toEqual({ category: 'group', name: 'ops team' });
    expect(parseStreamId('role-reader')).toEqual({ category: 'role', roleId: 'reader' });
    expect(parseStreamId('template-web')).toEqual({ category: 'template', templateId: 'web' });
    expect(parseStreamId('command-42')).toBeNull();
  });
});
