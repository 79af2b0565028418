import https from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../index';

let sim: KubeSim;
let kc: k8s.KubeConfig;

/** A pod placed on a node with its containers running (what the kubelet would report). */
function runningPod(name: string, containers: any[], opts: { running?: boolean; nodeName?: string | null; extra?: any } = {}) {
  sim.store.create('', 'pods', 'default', { metadata: { name }, spec: { containers, ...(opts.extra ?? {}) } });
  const p = structuredClone(sim.store.get('', 'pods', 'default', name));
  if (opts.nodeName !== null) {
    p.spec.nodeName = opts.nodeName ?? 'kube-sim-node-1';
    sim.store.putRaw('', 'pods', p);
  }
  const running = opts.running ?? true;
  sim.store.updateStatus('', 'pods', 'default', name, {
    phase: running ? 'Running' : 'Pending',
    podIP: '10.244.1.7',
    hostIP: '10.0.0.3',
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: running,
      restartCount: 0,
      state: running ? { running: { startedAt: new Date().toISOString() } } : { waiting: { reason: 'ContainerCreating' } },
    })),
  });
}

interface Result {
  stdout: string;
  stderr: string;
  status?: any;
}

async function exec(pod: string, command: string[], o: { container?: string; stdin?: Readable; tty?: boolean; stdout?: PassThrough } = {}): Promise<Result> {
  const stdout = o.stdout ?? new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return new Promise<Result>((resolve, reject) => {
    new k8s.Exec(kc)
      .exec('default', pod, o.container ?? 'main', command, stdout, stderr, o.stdin ?? null, o.tty ?? false, (status) => setImmediate(() => resolve({ stdout: out, stderr: err, status })))
      .then((ws) => ws.on('close', () => setTimeout(() => resolve({ stdout: out, stderr: err }), 50)), reject);
  });
}

/** The HTTP answer to an upgrade that kube-sim refuses (status + body), with a raw ws client. */
function refused(path: string, protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'], token = 'admin-token'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(sim.url.replace('https', 'wss') + path, protocols, { ca: sim.caPem, headers: { Authorization: `Bearer ${token}` } });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.on('open', () => reject(new Error('upgrade succeeded')));
    ws.on('error', () => {});
  });
}

/** Raw websocket session: collects frames per channel until the server closes. */
function raw(path: string, protocols: string[], send: (ws: WebSocket) => void = () => {}): Promise<{ protocol: string; frames: Array<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(sim.url.replace('https', 'wss') + path, protocols, { ca: sim.caPem, headers: { Authorization: 'Bearer admin-token' } });
    const frames: Array<[number, string]> = [];
    ws.on('open', () => send(ws));
    ws.on('message', (d: Buffer) => frames.push([d[0], d.subarray(1).toString('utf8')]));
    ws.on('close', () => resolve({ protocol: ws.protocol, frames }));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  // only part-1 controllers: the test reports the pods' running state itself
  sim = await startKubeSim({ controllers: ['garbage-collector', 'namespace'] });
  kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  sim.store.create('', 'configmaps', 'default', { metadata: { name: 'app-config' }, data: { 'app.yaml': 'color: blue\n', LEVEL: 'debug' } });
  sim.store.create('', 'secrets', 'default', { metadata: { name: 'creds' }, stringData: { password: 's3cret' } });
  runningPod('web', [
    {
      name: 'main',
      image: 'alpine:3.20',
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      ],
      envFrom: [{ configMapRef: { name: 'app-config' } }],
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
    },
    { name: 'sidecar', image: 'busybox' },
  ], { extra: { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] } });
  runningPod('pending', [{ name: 'main', image: 'alpine' }], { nodeName: null, running: false });
  runningPod('starting', [{ name: 'main', image: 'alpine' }], { running: false });
  runningPod('tty', [{ name: 'main', image: 'busybox', stdin: true, tty: true }]);
  runningPod('plain', [{ name: 'main', image: 'busybox' }]);
});

afterAll(async () => {
  await sim?.stop();
});

describe('pods/exec', () => {
  it('runs a command: stdout, Success status', async () => {
    const r = await exec('web', ['echo', 'hello', 'world']);
    expect(r.stdout).toBe('hello world\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('reports a non-zero exit code like the kubelet', async () => {
    const r = await exec('web', ['sh', '-c', 'echo oops >&2; exit 3']);
    expect(r.stderr).toBe('oops\n');
    expect(r.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo oops >&2; exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('simulates a shell: env, hostname, files, cwd, user, unknown commands', async () => {
    const env = (await exec('web', ['env'])).stdout;
    expect(env).toContain('HOSTNAME=web\n');
    expect(env).toContain('GREETING=hello\n');
    expect(env).toContain('POD_NAME=web\n');
    expect(env).toContain('DB_PASSWORD=s3cret\n');
    expect(env).toContain('LEVEL=debug\n');
    expect(env).toMatch(/KUBERNETES_SERVICE_HOST=10\.96\.\d+\.\d+\n/);
    expect(env).toContain('KUBERNETES_SERVICE_PORT=443\n');
    expect(env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    expect((await exec('web', ['hostname'])).stdout).toBe('web\n');
    expect((await exec('web', ['cat', '/etc/hostname'])).stdout).toBe('web\n');
    expect((await exec('web', ['cat', '/etc/resolv.conf'])).stdout).toContain('search default.svc.cluster.local svc.cluster.local cluster.local\n');
    expect((await exec('web', ['cat', '/etc/os-release'])).stdout).toContain('ID=alpine');
    expect((await exec('web', ['cat', '/etc/app/app.yaml'])).stdout).toBe('color: blue\n');
    expect((await exec('web', ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace'])).stdout).toBe('default');
    expect((await exec('web', ['ls', '/etc'])).stdout.split('\n')).toEqual(expect.arrayContaining(['app', 'hostname', 'hosts', 'os-release', 'resolv.conf']));
    expect((await exec('web', ['pwd'])).stdout).toBe('/\n');
    expect((await exec('web', ['whoami'])).stdout).toBe('root\n');
    expect((await exec('web', ['sh', '-c', 'cd /etc && pwd && echo "$GREETING, ${POD_NAME}" && false || echo fallback'])).stdout).toBe('/etc\nhello, web\nfallback\n');
    const nf = await exec('web', ['sh', '-c', 'frobnicate --now']);
    expect(nf.stderr).toBe('sh: frobnicate: not found\n');
    expect(nf.status.details.causes[0].message).toBe('127');
    // a missing binary run directly fails in the runtime, as containerd reports it
    const direct = await exec('web', ['frobnicate']);
    expect(direct.status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(direct.status.message).toContain('exec: "frobnicate": executable file not found in $PATH');
    // pipes (buffered) with grep/head/tail/wc/sort
    expect((await exec('web', ['sh', '-c', 'env | grep -E "^(GREETING|LEVEL)=" | sort'])).stdout).toBe('GREETING=hello\nLEVEL=debug\n');
    expect((await exec('web', ['sh', '-c', 'cat /etc/resolv.conf | wc -l'])).stdout).toBe('3\n');
    expect((await exec('web', ['sh', '-c', 'grep -q nope /etc/hostname'])).status.details.causes[0].message).toBe('1');
    // files written persist in the container
    await exec('web', ['sh', '-c', 'echo persisted > /tmp/note']);
    expect((await exec('web', ['cat', '/tmp/note'])).stdout).toBe('persisted\n');
    // the other container of the pod
    expect((await exec('web', ['printenv', 'GREETING'], { container: 'sidecar' })).status.status).toBe('Failure');
  });

  it('sleep follows the sim clock', async () => {
    const t0 = Date.now();
    const p = exec('web', ['sh', '-c', 'sleep 3600; echo woke']);
    await new Promise((r) => setTimeout(r, 300));
    sim.clock.advance(3600_000);
    const r = await p;
    expect(r.stdout).toBe('woke\n');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('ends a running command with exit code 137 when the pod is deleted', async () => {
    runningPod('doomed', [{ name: 'main', image: 'alpine' }]);
    const p = exec('doomed', ['sleep', '3600']);
    await new Promise((r) => setTimeout(r, 200));
    sim.store.delete('', 'pods', 'default', 'doomed');
    const r = await p;
    expect(r.status).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '137' }] } });
  });

  it('passes stdin (and the v5 close of stdin) to cat', async () => {
    const stdin = new PassThrough();
    const p = exec('web', ['cat'], { stdin });
    stdin.write('line one\n');
    stdin.end('line two\n');
    const r = await p;
    expect(r.stdout).toBe('line one\nline two\n');
    expect(r.status.status).toBe('Success');
  });

  it('runs an interactive tty shell: prompt, echo, resize, exit status', async () => {
    const stdin = new PassThrough();
    const stdout = Object.assign(new PassThrough(), { columns: 132, rows: 43 });
    const p = exec('tty', ['sh'], { stdin, tty: true, stdout });
    await new Promise((r) => setTimeout(r, 200));
    stdin.write('stty size\r');
    stdin.write('echo hi\x7fi there\r');
    stdin.write('exit 4\r');
    const r = await p;
    expect(r.stdout.startsWith('/ # ')).toBe(true);
    expect(r.stdout).toContain('stty size\r\n43 132\r\n/ # ');
    expect(r.stdout).toContain('\b \b');
    expect(r.stdout).toContain('hi there\r\n');
    expect(r.status.details.causes[0].message).toBe('4');
    expect(r.status.message).toBe('command terminated with non-zero exit code: error executing command [sh], exit code 4');
  });

  it('refuses like kube-apiserver: missing pod, wrong container, unscheduled, not running, no websocket', async () => {
    let r = await refused('/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found', code: 404 });
    r = await refused('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true&container=x');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('container x is not valid for pod web');
    r = await refused('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true');
    expect(JSON.parse(r.body).message).toBe('a container name must be specified for pod web, choose one of: [main sidecar]');
    r = await refused('/api/v1/namespaces/default/pods/pending/exec?command=ls&stdout=true');
    expect(JSON.parse(r.body).message).toBe('pod pending does not have a host assigned');
    // v4: the kubelet's answer proxied back
    r = await refused('/api/v1/namespaces/default/pods/starting/exec?command=ls&stdout=true', ['v4.channel.k8s.io']);
    expect(r).toEqual({ status: 500, body: 'container not found ("main")' });
    // v5: upgraded by the apiserver's translator, the error comes on channel 3
    const v5 = await raw('/api/v1/namespaces/default/pods/starting/exec?command=ls&stdout=true', ['v5.channel.k8s.io']);
    expect(v5.frames[0][0]).toBe(3);
    expect(JSON.parse(v5.frames[0][1])).toMatchObject({ status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: unable to upgrade connection: container not found ("main")' });
    // through client-node: the status callback gets it
    const cn = await exec('starting', ['ls']);
    expect(cn.status.message).toContain('container not found ("main")');
    const plain = await fetchStatus('/api/v1/namespaces/default/pods/web/exec?command=ls&container=main&stdout=true');
    expect(plain).toMatchObject({ code: 400, message: 'Upgrade request required' });
  });

  it('needs create on pods/exec (RBAC)', async () => {
    const r = await refused('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true&container=main', undefined, 'alice-token');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toBe('pods "web" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"');
  });

  it('a Role with create on pods/exec lets a user exec; get alone does not', async () => {
    const path = '/api/v1/namespaces/default/pods/web/exec?command=hostname&stdout=true&container=main';
    sim.store.create('rbac.authorization.k8s.io', 'roles', 'default', { metadata: { name: 'exec-get' }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get'] }] });
    sim.store.create('rbac.authorization.k8s.io', 'rolebindings', 'default', { metadata: { name: 'alice-exec-get' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec-get' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] });
    expect((await refused(path, undefined, 'alice-token')).status).toBe(403);
    sim.store.create('rbac.authorization.k8s.io', 'roles', 'default', { metadata: { name: 'exec' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] });
    sim.store.create('rbac.authorization.k8s.io', 'rolebindings', 'default', { metadata: { name: 'alice-exec' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] });
    const alice = new k8s.KubeConfig();
    alice.loadFromString(sim.kubeconfigFor('alice'));
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const status = await new Promise<any>((resolve, reject) => {
      new k8s.Exec(alice).exec('default', 'web', 'main', ['hostname'], stdout, null, null, false, (st) => setImmediate(() => resolve(st))).catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(out).toBe('web\n');
  });

  it('speaks v4 (JSON status) and v1 (text errors, nothing on success)', async () => {
    const v4 = await raw('/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=exit%202&stdout=true&container=main', ['v4.channel.k8s.io']);
    expect(v4.protocol).toBe('v4.channel.k8s.io');
    expect(JSON.parse(v4.frames.find((f) => f[0] === 3)![1]).reason).toBe('NonZeroExitCode');
    const v1 = await raw('/api/v1/namespaces/default/pods/web/exec?command=echo&command=x&stdout=true&container=main', ['channel.k8s.io']);
    expect(v1.frames).toEqual([[1, 'x\n']]);
  });
});

function fetchStatus(path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.get(sim.url + path, { ca: sim.caPem, headers: { Authorization: 'Bearer admin-token' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
  });
}

describe('pods/attach', () => {
  it('attaches to an interactive main process (tty from the container spec) shared by clients', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const other = new PassThrough();
    let otherOut = '';
    other.on('data', (d) => (otherOut += d));
    const ws1 = await new k8s.Attach(kc).attach('default', 'tty', 'main', stdout, null, stdin, true);
    const ws2 = await new k8s.Attach(kc).attach('default', 'tty', 'main', other, null, null, true);
    const closed = new Promise((r) => ws2.on('close', r));
    stdin.write('hostname\r');
    await new Promise((r) => setTimeout(r, 300));
    expect(out).toContain('hostname\r\ntty\r\n');
    expect(otherOut).toContain('tty\r\n');
    stdin.write('exit\r');
    await closed;
    ws1.close();
  });

  it('streams the output of a non-interactive container', async () => {
    const { emitContainerOutput } = await import('../index');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const ws = await new k8s.Attach(kc).attach('default', 'plain', 'main', stdout, new PassThrough(), null, false);
    await new Promise((r) => setTimeout(r, 100));
    expect(emitContainerOutput(sim.store, 'default', 'plain', 'main', 'tick 1\n')).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(out).toBe('tick 1\n');
    ws.close();
  });
});
