import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch';
import { applyMergePatch } from './merge-patch';
import { applyStrategicPatch } from './strategic';
import { serverSideApply, trackUpdate } from './apply';
import { builtinListTypes, fromFieldsV1, toFieldsV1, SEP } from './fieldset';

const opts = (manager: string) => ({ manager, apiVersion: 'apps/v1', listType: builtinListTypes(), subresource: '', scope: 'main' as const, now: '2026-01-01T00:00:00Z' });

describe('json and merge patch', () => {
  it('json patch escapes and appends', () => {
    expect(applyJsonPatch({ a: { 'x/y': 1 }, l: [1] }, [{ op: 'add', path: '/a/x~1y', value: 2 }, { op: 'add', path: '/l/-', value: 3 }])).toEqual({ a: { 'x/y': 2 }, l: [1, 3] });
  });
  it('merge patch deletes with null', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null } })).toEqual({ b: { d: 3 } });
  });
});

describe('strategic merge patch', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'y' }], volumes: [{ name: 'v1' }] } };
  it('merges by key and honours directives', () => {
    const out = applyStrategicPatch(pod, { spec: { containers: [{ name: 'a', image: 'x2', ports: [{ containerPort: 81 }] }, { name: 'b', $patch: 'delete' }], volumes: [{ name: 'v2' }] } });
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'x2', ports: [{ containerPort: 80 }, { containerPort: 81 }] }]);
    expect(out.spec.volumes.map((v: any) => v.name)).toEqual(['v1', 'v2']);
  });
  it('replaces maps with $patch: replace and removes primitives', () => {
    expect(applyStrategicPatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'replace', b: '2' } } })).toEqual({ metadata: { labels: { b: '2' } } });
    expect(applyStrategicPatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({ metadata: { finalizers: ['b'] } });
  });
});

describe('server-side apply', () => {
  it('round-trips FieldsV1', () => {
    const set = new Set(['f:spec' + SEP + 'f:replicas', ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}'].join(SEP), ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image'].join(SEP)]);
    const tree = toFieldsV1(set);
    expect(tree['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"a"}']).toEqual({ '.': {}, 'f:image': {} });
    expect(fromFieldsV1(tree)).toEqual(set);
  });

  it('conflicts between appliers and lets force take over', () => {
    const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { replicas: 1 } };
    const a = serverSideApply(undefined, base, false, opts('a'));
    expect(() => serverSideApply(a, { ...base, spec: { replicas: 2 } }, false, opts('b'))).toThrow(/Apply failed with 1 conflict: conflict with "a": \.spec\.replicas/);
    const b = serverSideApply(a, { ...base, spec: { replicas: 2 } }, true, opts('b'));
    expect(b.spec.replicas).toBe(2);
    expect(b.metadata.managedFields.map((m: any) => m.manager)).toEqual(['b']);
  });

  it('gives Update managers the fields they change', () => {
    const old = { metadata: { name: 'x' }, data: { a: '1' } };
    const mf = trackUpdate(old, { metadata: { name: 'x' }, data: { a: '1', b: '2' } }, { ...opts('kubectl'), scope: 'all' });
    expect(mf).toEqual([{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:b': {} } } }]);
  });
});
