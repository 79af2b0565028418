import { describe, expect, it } from 'vitest';
import { auditAction, isLongRunning, isMutating, parseKubeRequest } from '../../api/k8s-proxy/request-info';
import { splitProxyUrl } from '../../api/k8s-proxy/plugin';
import { downstreamResponseHeaders, headerValue, upstreamRequestHeaders, type Upstream } from '../../api/k8s-proxy/upstream';
import http from 'node:http';

const q = (s: string) => new URLSearchParams(s);
const pick = (method: string, path: string, query = '') => {
  const i = parseKubeRequest(method, path, q(query));
  return { verb: i.verb, apiGroup: i.apiGroup, resource: i.resource, subresource: i.subresource, namespace: i.namespace, name: i.name, isResourceRequest: i.isResourceRequest };
};

describe('parseKubeRequest', () => {
  it('parses namespaced core resources: list, get, subresources', () => {
    expect(pick('GET', '/api/v1/namespaces/ns/pods')).toEqual({ verb: 'list', apiGroup: '', resource: 'pods', subresource: '', namespace: 'ns', name: '', isResourceRequest: true });
    expect(pick('GET', '/api/v1/namespaces/ns/pods/web')).toMatchObject({ verb: 'get', resource: 'pods', name: 'web', namespace: 'ns' });
    expect(pick('GET', '/api/v1/namespaces/ns/pods/web/log', 'follow=true')).toMatchObject({ verb: 'get', resource: 'pods', subresource: 'log', name: 'web' });
    expect(pick('POST', '/api/v1/namespaces/ns/pods')).toMatchObject({ verb: 'create', resource: 'pods', namespace: 'ns' });
    expect(pick('DELETE', '/api/v1/namespaces/ns/pods/web')).toMatchObject({ verb: 'delete', name: 'web' });
    expect(pick('DELETE', '/api/v1/namespaces/ns/pods')).toMatchObject({ verb: 'deletecollection', name: '' });
  });

  it('parses group resources and their subresources', () => {
    expect(pick('PATCH', '/apis/apps/v1/namespaces/ns/deployments/web')).toMatchObject({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'web', namespace: 'ns' });
    expect(pick('PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale')).toMatchObject({ verb: 'update', resource: 'deployments', subresource: 'scale', name: 'web' });
    expect(pick('GET', '/apis/apps/v1/deployments')).toMatchObject({ verb: 'list', resource: 'deployments', namespace: '' });
  });

  it('parses cluster-scoped resources and namespaces themselves', () => {
    expect(pick('GET', '/api/v1/nodes/n1')).toMatchObject({ verb: 'get', resource: 'nodes', name: 'n1', namespace: '' });
    expect(pick('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles')).toMatchObject({ verb: 'list', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' });
    expect(pick('DELETE', '/api/v1/namespaces/team')).toMatchObject({ verb: 'delete', resource: 'namespaces', name: 'team', namespace: 'team' });
    expect(pick('PUT', '/api/v1/namespaces/team/finalize')).toMatchObject({ verb: 'update', resource: 'namespaces', name: 'team', subresource: 'finalize' });
    expect(pick('GET', '/api/v1/namespaces')).toMatchObject({ verb: 'list', resource: 'namespaces', namespace: '' });
  });

  it('recognises watches by query and by the /watch/ prefix', () => {
    expect(pick('GET', '/api/v1/namespaces/ns/pods', 'watch=true').verb).toBe('watch');
    expect(pick('GET', '/api/v1/namespaces/ns/pods', 'watch=1&resourceVersion=5').verb).toBe('watch');
    expect(pick('GET', '/api/v1/namespaces/ns/pods', 'watch=false').verb).toBe('list');
    expect(pick('GET', '/api/v1/watch/namespaces/ns/pods')).toMatchObject({ verb: 'watch', resource: 'pods', namespace: 'ns' });
    expect(pick('GET', '/apis/apps/v1/watch/deployments')).toMatchObject({ verb: 'watch', resource: 'deployments' });
  });

  it('treats exec/attach/portforward sessions as create, and mutating', () => {
    const exec = parseKubeRequest('GET', '/api/v1/namespaces/ns/pods/web/exec', q('command=echo&command=hi&stdout=true'));
    expect(exec).toMatchObject({ verb: 'create', resource: 'pods', subresource: 'exec', name: 'web' });
    expect(isMutating('GET', exec)).toBe(true);
    expect(auditAction(exec)).toBe('create pods/exec');
    expect(auditAction(parseKubeRequest('POST', '/api/v1/namespaces/ns/pods/web/attach'))).toBe('create pods/attach');
    expect(isLongRunning(exec, q(''))).toBe(true);
  });

  it('names non-resource requests by method and path', () => {
    for (const path of ['/version', '/api', '/apis', '/api/v1', '/apis/apps/v1', '/healthz', '/']) {
      expect(pick('GET', path).isResourceRequest).toBe(false);
    }
    expect(auditAction(parseKubeRequest('POST', '/apis/apps'))).toBe('post /apis/apps');
  });

  it('says what mutates and what runs long', () => {
    const list = parseKubeRequest('GET', '/api/v1/namespaces/ns/pods');
    expect(isMutating('GET', list)).toBe(false);
    expect(isMutating('HEAD', list)).toBe(false);
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(isMutating(m, parseKubeRequest(m, '/api/v1/namespaces/ns/pods/x'))).toBe(true);
    expect(isLongRunning(parseKubeRequest('GET', '/api/v1/pods', q('watch=true')), q('watch=true'))).toBe(true);
    expect(isLongRunning(parseKubeRequest('GET', '/api/v1/namespaces/a/pods/p/log'), q('follow=true'))).toBe(true);
    expect(isLongRunning(parseKubeRequest('GET', '/api/v1/namespaces/a/pods/p/log'), q(''))).toBe(false);
    expect(isLongRunning(list, q(''))).toBe(false);
    expect(auditAction(parseKubeRequest('PATCH', '/apis/apps/v1/namespaces/a/deployments/d'))).toBe('patch deployments');
  });
});

describe('splitProxyUrl', () => {
  it('splits the cluster, the Kubernetes path and the query', () => {
    expect(splitProxyUrl('/k8s/clusters/sim/api/v1/pods?watch=1')).toMatchObject({ clusterId: 'sim', path: '/api/v1/pods', search: '?watch=1' });
    expect(splitProxyUrl('/k8s/clusters/sim')).toMatchObject({ clusterId: 'sim', path: '/', search: '' });
  });

  it('refuses bad cluster ids and dot segments', () => {
    expect(() => splitProxyUrl('/k8s/clusters/Bad_Id/api')).toThrow(/not found/);
    expect(() => splitProxyUrl('/k8s/clusters/sim/api/../../_sim/faults')).toThrow(/segments/);
    expect(() => splitProxyUrl('/k8s/clusters/sim/api/%2e%2e/x')).toThrow(/segments/);
  });
});

describe('header rules', () => {
  const upstream: Upstream = {
    secure: true,
    hostname: '10.0.0.1',
    port: 6443,
    basePath: '',
    host: '10.0.0.1:6443',
    authHeaders: { authorization: 'Bearer cluster-token' },
    tls: {},
    agent: new http.Agent(),
  };

  it('strips credentials, identity and hop-by-hop headers, and impersonates the caller', () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer bsk_secret',
        cookie: 'bosun_session=x',
        'impersonate-user': 'system:admin',
        'impersonate-group': 'system:masters',
        'impersonate-extra-scopes': 'x',
        'x-remote-user': 'root',
        connection: 'keep-alive, x-private',
        'x-private': 'drop me',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'x-forwarded-for': '1.2.3.4',
        'content-type': 'application/json',
        accept: 'application/json',
        host: 'bosun.example',
      },
      upstream,
      { userId: 'alice', groups: ['dev', 'cn=ops,ou=groups'], clientIp: '127.0.0.1' },
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      host: '10.0.0.1:6443',
      authorization: 'Bearer cluster-token',
      'impersonate-user': 'bosun:alice',
      'impersonate-group': ['bosun:group:dev', 'bosun:group:cn=ops,ou=groups', 'bosun:authenticated'],
      'x-forwarded-for': '127.0.0.1',
    });
  });

  it('sends names beyond ASCII as UTF-8 bytes, and drops names no header can carry', () => {
    expect(headerValue('bosun:group:dev')).toBe('bosun:group:dev');
    expect(Buffer.from(headerValue('bosun:group:开发组')!, 'latin1').toString('utf8')).toBe('bosun:group:开发组');
    expect(headerValue('bad\r\nInjected: yes')).toBeNull();
    const out = upstreamRequestHeaders({}, upstream, { userId: 'alice', groups: ['开发组', 'x\ny'], clientIp: '::1' });
    expect(out['impersonate-group']).toEqual([headerValue('bosun:group:开发组'), 'bosun:authenticated']);
  });

  it('passes response headers on without hop-by-hop ones or cookies', () => {
    expect(downstreamResponseHeaders(['Content-Type', 'application/json', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=b', 'Warning', '1', 'Warning', '2', 'Audit-Id', 'x'])).toEqual({
      'content-type': 'application/json',
      warning: ['1', '2'],
      'audit-id': 'x',
    });
  });
});
