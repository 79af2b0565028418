import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../domain/template/image';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27-alpine', { repository: 'nginx', tag: '1.27-alpine' }],
    ['library/nginx', { repository: 'library/nginx' }],
    ['docker.io/library/nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
    ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1' }],
    [
      `registry.example.com:5000/team/my_app__x.y-z:v1.2_rc@${DIGEST}`,
      { registry: 'registry.example.com:5000', repository: 'team/my_app__x.y-z', tag: 'v1.2_rc', digest: DIGEST },
    ],
    [`nginx@${DIGEST}`, { repository: 'nginx', digest: DIGEST }],
  ])('reads %s', (text, reference) => {
    expect(parseImageReference(text)).toEqual({ ok: true, reference });
  });

  it.each([
    ['', 'must not be empty'],
    ['nginx latest', 'must not contain whitespace'],
    ['nginx\t', 'must not contain whitespace'],
    ['Nginx', 'repository "Nginx" must be lower-case'],
    ['docker.io/Library/nginx', 'repository "Library/nginx" must be lower-case'],
    ['nginx:', 'tag "" must be 1 to 128'],
    ['nginx:-x', 'tag "-x" must be 1 to 128'],
    [`nginx:${'x'.repeat(129)}`, 'must be 1 to 128'],
    ['nginx@sha256:abc', 'the digest must be sha256: followed by 64 lower-case hex digits'],
    [`nginx@md5:${'a'.repeat(32)}`, 'the digest must be sha256'],
    [':1.0', 'repository "" must be path components'],
    ['team//app', 'repository "team//app" must be path components'],
    ['-app', 'repository "-app" must be path components'],
    ['app-', 'repository "app-" must be path components'],
    ['bad_host.example.com/app', 'registry "bad_host.example.com" is not a valid host[:port]'],
    [`${'a'.repeat(256)}`, 'the name must be no more than 255 characters'],
  ])('refuses %j', (text, reason) => {
    const check = parseImageReference(text);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });
});
