import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../domain/errors';
import { checkConfigManifest, secretValues, withoutSecretValues } from '../../../domain/config/manifest';

const at = { namespace: 'web' };

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('checkConfigManifest', () => {
  it('normalises a ConfigMap written as YAML: apiVersion, namespace, managed-by label, no server fields', () => {
    const object = checkConfigManifest(
      'kind: ConfigMap\nmetadata:\n  name: settings\n  uid: abc\n  resourceVersion: "7"\n  labels: {tier: web}\ndata:\n  LOG_LEVEL: debug\nstatus: {}\n',
      at,
    );
    expect(object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'web', labels: { tier: 'web', 'app.kubernetes.io/managed-by': 'bosun' } },
      data: { LOG_LEVEL: 'debug' },
    });
  });

  it('names the line of a YAML syntax error', () => {
    const error = refusal(() => checkConfigManifest('kind: ConfigMap\nmetadata:\n  name: x\n    bad: indent\n', at));
    expect(error.field).toBe('manifest');
    expect(error.message).toMatch(/^manifest: line \d+, column \d+: YAML does not parse/);
  });

  it('refuses a kind it does not manage, naming the field', () => {
    const error = refusal(() => checkConfigManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, at));
    expect(error.field).toBe('manifest.kind');
    expect(error.message).toContain('ConfigMap, Secret, Service, Ingress, PersistentVolumeClaim');
  });

  it('refuses another namespace, and a name that is not DNS-1123, with their lines', () => {
    const error = refusal(() => checkConfigManifest('kind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: other\n', at));
    const problems = (error.details!.problems as { field: string; message: string }[]).map((p) => p.field);
    expect(problems).toEqual(['manifest.metadata.name', 'manifest.metadata.namespace']);
    expect(error.message).toContain('manifest.metadata.name: line 3: Invalid value: "Bad_Name"');
    expect(error.message).toContain('manifest.metadata.namespace: line 4: must be "web"');
  });

  it('refuses a number where a ConfigMap needs a string, and a typo at the top level', () => {
    const error = refusal(() => checkConfigManifest({ kind: 'ConfigMap', metadata: { name: 'a' }, data: { PORT: 8080 }, dta: {} }, at));
    expect(error.message).toContain('manifest.data.PORT: must be a string, got number (quote it in YAML)');
    expect(error.message).toContain('manifest.dta: unknown field for a ConfigMap');
  });

  it('keeps kind and name of the object being edited', () => {
    expect(refusal(() => checkConfigManifest({ kind: 'Secret', metadata: { name: 'a' } }, { ...at, kind: 'ConfigMap' })).field).toBe('manifest.kind');
    expect(refusal(() => checkConfigManifest({ kind: 'ConfigMap', metadata: { name: 'b' } }, { ...at, name: 'a' })).field).toBe('manifest.metadata.name');
  });

  it('checks a Service: ports, named when several, node ports only for NodePort; a Service name is a DNS-1035 label', () => {
    const ok = checkConfigManifest({ kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }, at);
    expect(ok.spec).toEqual({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    const bad = refusal(() =>
      checkConfigManifest({ kind: 'Service', metadata: { name: '1web' }, spec: { ports: [{ port: 70000 }, { port: 81, nodePort: 30001 }] } }, at),
    );
    const fields = (bad.details!.problems as { field: string }[]).map((p) => p.field);
    expect(fields).toEqual(['manifest.metadata.name', 'manifest.spec.ports[0].port', 'manifest.spec.ports[0].name', 'manifest.spec.ports[1].nodePort', 'manifest.spec.ports[1].name']);
  });

  it('checks an Ingress rule: path type and backend', () => {
    const bad = refusal(() =>
      checkConfigManifest({ kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: 'x', backend: { service: { name: 'web', port: {} } } }] } }] } }, at),
    );
    expect((bad.details!.problems as { field: string }[]).map((p) => p.field)).toEqual([
      'manifest.spec.rules[0].http.paths[0].pathType',
      'manifest.spec.rules[0].http.paths[0].path',
      'manifest.spec.rules[0].http.paths[0].backend.service.port',
    ]);
    expect(checkConfigManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }, at).apiVersion).toBe('networking.k8s.io/v1');
  });

  it('checks a PVC: access modes and a storage quantity', () => {
    const bad = refusal(() => checkConfigManifest({ kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: 'lots' } } } }, at));
    expect((bad.details!.problems as { field: string }[]).map((p) => p.field)).toEqual(['manifest.spec.accessModes[0]', 'manifest.spec.resources.requests.storage']);
  });

  it('checks Secret data as base64 without echoing the value, and splits values off', () => {
    const bad = refusal(() => checkConfigManifest({ kind: 'Secret', metadata: { name: 'db' }, data: { password: 'not base64!!' } }, at));
    expect(bad.field).toBe('manifest.data.password');
    expect(bad.message).not.toContain('not base64!!');
    const secret = checkConfigManifest({ kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { user: Buffer.from('admin').toString('base64') }, stringData: { password: 'hunter22' } }, at);
    const values = secretValues(secret);
    expect(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ user: 'admin', password: 'hunter22' });
    expect(withoutSecretValues(secret)).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: secret.metadata, type: 'Opaque' });
  });

  it('refuses more than one object in the text, naming the line of the second', () => {
    const error = refusal(() => checkConfigManifest('kind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n', at));
    expect(error.message).toMatch(/^manifest: line 4: holds 2 objects/);
  });
});
