/**
 * pods/exec and pods/attach over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`; v1–v3 and the
 * base64 variants too), as @kubernetes/client-node's Exec/Attach and kubectl ≥ 1.30 speak it:
 * channels 0 stdin, 1 stdout, 2 stderr, 3 error (v1 Status JSON from v4 on), 4 resize, 255 close (v5).
 *
 * Before the upgrade, like kube-apiserver: 404 for a missing pod, 400 for a wrong / missing container,
 * 400 when the pod has no node. A container that is not running answers like the real chain: with v5
 * (the apiserver's websocket→SPDY translator) the upgrade succeeds and channel 3 carries an InternalError
 * `unable to upgrade connection: container not found ("c")`; with v4 and older (proxied to the kubelet)
 * the upgrade fails with HTTP 500 and the kubelet's text `container not found ("c")`.
 *
 * Behind it, a simulated shell per container (shell.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { signServiceAccountToken } from '../auth/index';
import type { SimClock } from '../clock';
import { StatusError, badRequest, notFound } from '../errors';
import type { ObjectStore } from '../objects';
import { registerSubresource, type SubresourceRequest } from '../subresources';
import { CommandNotFound, Shell, StdinQueue, type ContainerEnv, type TermSize } from './shell';

// ---------------------------------------------------------------- runtime per sim

interface Runtime {
  clock?: SimClock;
  /** files written in containers: `${podUid}/${container}` → path → content */
  written: Map<string, Map<string, string>>;
  /** attach targets: `${podUid}/${container}` → main process */
  mains: Map<string, MainProcess>;
  /** open sessions per pod uid, killed when the pod goes away */
  sessions: Map<string, Set<() => void>>;
}

const runtimes = new WeakMap<ObjectStore, Runtime>();
function runtime(store: ObjectStore): Runtime {
  let r = runtimes.get(store);
  if (!r) {
    const rt: Runtime = { written: new Map(), mains: new Map(), sessions: new Map() };
    runtimes.set(store, (r = rt));
    // a deleted pod's containers die: open exec/attach sessions end, written files are dropped
    store.onRemoved((def, obj) => {
      if (def.group !== '' || def.resource !== 'pods') return;
      const uid = obj.metadata?.uid;
      for (const kill of [...(rt.sessions.get(uid) ?? [])]) kill();
      rt.sessions.delete(uid);
      for (const k of [...rt.written.keys()]) if (k.startsWith(`${uid}/`)) rt.written.delete(k);
    });
  }
  return r;
}

function trackSession(store: ObjectStore, podUid: string, kill: () => void): () => void {
  const rt = runtime(store);
  let set = rt.sessions.get(podUid);
  if (!set) rt.sessions.set(podUid, (set = new Set()));
  set.add(kill);
  return () => set!.delete(kill);
}

/** Lets `sleep` in exec sessions follow the sim clock (`sim.clock.advance`) as well as real time. */
export function bindExecRuntime(store: ObjectStore, opts: { clock?: SimClock }) {
  runtime(store).clock = opts.clock;
}

// ---------------------------------------------------------------- websocket channels

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const SUPPORTED = new Set([...PROTOCOLS, ...PROTOCOLS.map((p) => `base64.${p}`)]);

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => {
    for (const p of offered) if (SUPPORTED.has(p)) return p;
    return false;
  },
});

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

interface Channels {
  protocol: string;
  version: number;
  write(channel: number, data: string): void;
  /** the error channel: v4+ Status JSON; v1–v3 the message text (nothing on success) */
  status(st: Record<string, unknown>): void;
  close(): void;
  readonly closed: boolean;
}

interface ChannelHandlers {
  stdin(data: Buffer): void;
  stdinEnd(): void;
  resize(size: TermSize): void;
  closed(): void;
}

function versionOf(protocol: string): number {
  const m = /v(\d)\.channel\.k8s\.io$/.exec(protocol);
  return m ? Number(m[1]) : 1;
}

function offeredProtocols(r: SubresourceRequest): string[] {
  return String(r.req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function upgrade(r: SubresourceRequest, handlers: (ch: Channels) => ChannelHandlers): void {
  const { socket, head } = r.upgrade!;
  wss.handleUpgrade(r.req, socket as Duplex, head, (ws: WebSocket) => {
    const protocol = ws.protocol;
    const version = versionOf(protocol);
    const b64 = protocol.startsWith('base64.');
    let closed = false;
    const ch: Channels = {
      protocol,
      version,
      write(channel, data) {
        if (closed || ws.readyState !== ws.OPEN || !data) return;
        if (b64) ws.send(String.fromCharCode(48 + channel) + Buffer.from(data).toString('base64'));
        else {
          const body = Buffer.from(data);
          const frame = Buffer.allocUnsafe(body.length + 1);
          frame[0] = channel;
          body.copy(frame, 1);
          ws.send(frame);
        }
      },
      status(st) {
        if (version >= 4) ch.write(ERROR, JSON.stringify(st));
        else if (st.status !== 'Success') ch.write(ERROR, String(st.message ?? ''));
      },
      close() {
        if (closed) return;
        closed = true;
        ws.close(1000);
      },
      get closed() {
        return closed;
      },
    };
    const h = handlers(ch);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      let channel: number;
      let body: Buffer;
      if (b64 && !isBinary) {
        const s = data.toString('utf8');
        channel = s.charCodeAt(0) - 48;
        body = Buffer.from(s.slice(1), 'base64');
      } else {
        if (!data.length) return;
        channel = data[0];
        body = data.subarray(1);
      }
      if (channel === STDIN) h.stdin(body);
      else if (channel === RESIZE && version >= 3) {
        try {
          const j = JSON.parse(body.toString('utf8'));
          // kubectl sends {"Width","Height"}, client-node {width,height}: Go's decoder ignores case
          const width = Number(j.Width ?? j.width);
          const height = Number(j.Height ?? j.height);
          if (width > 0 && height > 0) h.resize({ width, height });
        } catch {
          // ignore bad resize frames
        }
      } else if (channel === CLOSE && version >= 5) {
        if (body[0] === STDIN) h.stdinEnd();
      }
    });
    ws.on('close', () => {
      closed = true;
      h.closed();
    });
    ws.on('error', () => {
      closed = true;
    });
  });
}

// ---------------------------------------------------------------- validation

const boolQ = (q: URLSearchParams, k: string) => {
  const v = q.get(k);
  return v === 'true' || v === '1' || v === 'True';
};

function findPodContainer(r: SubresourceRequest): { pod: any; container: string; spec: any } {
  const pod = r.store.get('', 'pods', r.namespace, r.name);
  if (!pod) throw notFound('', 'pods', r.name);
  const containers: any[] = pod.spec?.containers ?? [];
  const init: any[] = pod.spec?.initContainers ?? [];
  const eph: any[] = pod.spec?.ephemeralContainers ?? [];
  let container = r.query.get('container') ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0].name;
    else if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${r.name}`);
    else {
      const initPart = init.length ? ` or one of the init containers: [${init.map((c) => c.name).join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${r.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]${initPart}`);
    }
  }
  const spec = [...containers, ...init, ...eph].find((c) => c.name === container);
  if (!spec) throw badRequest(`container ${container} is not valid for pod ${r.name}`);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${r.name} does not have a host assigned`);
  return { pod, container, spec };
}

function isRunning(pod: any, container: string): boolean {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  return !!all.find((c: any) => c.name === container)?.state?.running;
}

/** Refuses a non-websocket request, and answers the "container not running" case as the real chain does. */
function preflight(r: SubresourceRequest, container: string, running: boolean): boolean {
  if (!r.upgrade) throw badRequest('Upgrade request required');
  const upgradeHeader = String(r.req.headers.upgrade ?? '').toLowerCase();
  if (upgradeHeader !== 'websocket') throw badRequest(`kube-sim serves ${r.subresource} over websockets only (v4/v5.channel.k8s.io), not ${r.req.headers.upgrade}`);
  if (running) return true;
  const offered = offeredProtocols(r);
  const chosen = offered.find((p) => SUPPORTED.has(p)) ?? '';
  const text = `container not found (${JSON.stringify(container)})`;
  if (versionOf(chosen) >= 5) {
    upgrade(r, (ch) => {
      const msg = `unable to upgrade connection: ${text}`;
      ch.status({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${msg}`, reason: 'InternalError', details: { causes: [{ message: msg }] }, code: 500 });
      ch.close();
      return { stdin() {}, stdinEnd() {}, resize() {}, closed() {} };
    });
  } else {
    r.upgrade.socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }
  return false;
}

// ---------------------------------------------------------------- the container's world

function envValue(store: ObjectStore, pod: any, e: any): string | undefined {
  if (e.value !== undefined) return String(e.value);
  const vf = e.valueFrom;
  if (!vf) return '';
  if (vf.fieldRef) {
    const p = String(vf.fieldRef.fieldPath);
    const ann = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(p);
    if (ann) return pod.metadata?.[ann[1]]?.[ann[2]] ?? '';
    const map: Record<string, unknown> = {
      'metadata.name': pod.metadata.name,
      'metadata.namespace': pod.metadata.namespace,
      'metadata.uid': pod.metadata.uid,
      'spec.nodeName': pod.spec?.nodeName,
      'spec.serviceAccountName': pod.spec?.serviceAccountName,
      'status.podIP': pod.status?.podIP,
      'status.hostIP': pod.status?.hostIP,
    };
    return String(map[p] ?? '');
  }
  const ns = pod.metadata.namespace;
  if (vf.configMapKeyRef) return store.get('', 'configmaps', ns, vf.configMapKeyRef.name)?.data?.[vf.configMapKeyRef.key];
  if (vf.secretKeyRef) {
    const v = store.get('', 'secrets', ns, vf.secretKeyRef.name)?.data?.[vf.secretKeyRef.key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }
  return '';
}

const svcEnvName = (n: string) => n.toUpperCase().replace(/-/g, '_');

function containerEnv(store: ObjectStore, pod: any, spec: any, tty: boolean): Array<[string, string]> {
  const ns = pod.metadata.namespace;
  const env = new Map<string, string>();
  env.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.set('HOSTNAME', pod.metadata.name);
  if (tty) env.set('TERM', 'xterm');
  // service links: the kubernetes service always, the namespace's services unless disabled
  const services: any[] = [];
  const k = store.get('', 'services', 'default', 'kubernetes');
  if (k) services.push(k);
  if (pod.spec?.enableServiceLinks !== false) for (const s of store.list('', 'services', ns)) if (!(ns === 'default' && s.metadata.name === 'kubernetes')) services.push(s);
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const n = svcEnvName(s.metadata.name);
    const ports: any[] = s.spec?.ports ?? [];
    if (!ports.length) continue;
    env.set(`${n}_SERVICE_HOST`, ip);
    env.set(`${n}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) if (p.name) env.set(`${n}_SERVICE_PORT_${svcEnvName(p.name)}`, String(p.port));
    env.set(`${n}_PORT`, `${(ports[0].protocol ?? 'TCP').toLowerCase()}://${ip}:${ports[0].port}`);
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const base = `${n}_PORT_${p.port}_${proto}`;
      env.set(base, `${proto.toLowerCase()}://${ip}:${p.port}`);
      env.set(`${base}_PROTO`, proto.toLowerCase());
      env.set(`${base}_PORT`, String(p.port));
      env.set(`${base}_ADDR`, ip);
    }
  }
  for (const ef of spec.envFrom ?? []) {
    const prefix = ef.prefix ?? '';
    if (ef.configMapRef) for (const [key, v] of Object.entries(store.get('', 'configmaps', ns, ef.configMapRef.name)?.data ?? {})) env.set(prefix + key, String(v));
    if (ef.secretRef) for (const [key, v] of Object.entries(store.get('', 'secrets', ns, ef.secretRef.name)?.data ?? {})) env.set(prefix + key, Buffer.from(String(v), 'base64').toString('utf8'));
  }
  for (const e of spec.env ?? []) {
    const v = envValue(store, pod, e);
    if (v !== undefined) env.set(e.name, v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => env.get(name) ?? m));
  }
  env.set('HOME', '/root');
  return [...env];
}

const OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

function containerFiles(store: ObjectStore, pod: any, spec: any): Map<string, string> {
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  const ip = pod.status?.podIP;
  const dns = store.get('', 'services', 'kube-system', 'kube-dns')?.spec?.clusterIP ?? '10.96.0.10';
  const files = new Map<string, string>();
  files.set('/etc/hostname', `${name}\n`);
  files.set('/etc/hosts', `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${ip ? `${ip}\t${name}\n` : ''}`);
  files.set('/etc/os-release', OS_RELEASE);
  files.set('/etc/resolv.conf', `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${dns}\noptions ndots:5\n`);
  files.set('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n');
  files.set('/etc/alpine-release', '3.20.3\n');
  files.set('/proc/1/cmdline', [...(spec.command ?? []), ...(spec.args ?? [])].join('\0'));
  // mounted volumes: configMap, secret, projected service-account token
  const volumes = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  const saDir = '/var/run/secrets/kubernetes.io/serviceaccount';
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const saFiles = () => {
    const ca = store.get('', 'configmaps', ns, 'kube-root-ca.crt')?.data?.['ca.crt'];
    const saObj = store.get('', 'serviceaccounts', ns, sa);
    const tok = signServiceAccountToken({ namespace: ns, name: sa, uid: saObj?.metadata?.uid, expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', name, uid: pod.metadata.uid } });
    return { ...(ca ? { 'ca.crt': ca } : {}), namespace: ns, token: tok.token };
  };
  let saMounted = false;
  for (const m of spec.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    const dir = String(m.mountPath).replace(/\/$/, '');
    let data: Record<string, string> = {};
    if (v.configMap) {
      const cm = store.get('', 'configmaps', ns, v.configMap.name);
      data = { ...(cm?.data ?? {}) };
    } else if (v.secret) {
      const s = store.get('', 'secrets', ns, v.secret.secretName);
      for (const [key, val] of Object.entries(s?.data ?? {})) data[key] = Buffer.from(String(val), 'base64').toString('utf8');
    } else if (v.projected?.sources?.some((s: any) => s.serviceAccountToken)) {
      data = saFiles();
      if (dir === saDir) saMounted = true;
    }
    const items: any[] | undefined = v.configMap?.items ?? v.secret?.items;
    if (items) {
      const picked: Record<string, string> = {};
      for (const it of items) if (data[it.key] !== undefined) picked[it.path] = data[it.key];
      data = picked;
    }
    for (const [key, val] of Object.entries(data)) files.set(`${dir}/${key}`, val);
  }
  if (!saMounted && pod.spec?.automountServiceAccountToken !== false) for (const [key, val] of Object.entries(saFiles())) files.set(`${saDir}/${key}`, val);
  return files;
}

function containerWorld(store: ObjectStore, pod: any, spec: any, tty: boolean): ContainerEnv {
  const rt = runtime(store);
  const key = `${pod.metadata.uid}/${spec.name}`;
  let written = rt.written.get(key);
  if (!written) rt.written.set(key, (written = new Map()));
  const clock = rt.clock;
  return {
    env: containerEnv(store, pod, spec, tty),
    hostname: pod.spec?.hostname ?? pod.metadata.name,
    files: containerFiles(store, pod, spec),
    written,
    uid: Number(spec.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser ?? 0),
    now: () => (clock ? clock.date() : new Date()),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new Error('interrupted'));
        let id: number | NodeJS.Timeout;
        const done = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          if (clock) clock.clearTimeout(id as number);
          else clearTimeout(id as NodeJS.Timeout);
          reject(new Error('interrupted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        id = clock ? clock.setTimeout(done, ms) : setTimeout(done, ms);
      }),
  };
}

const ttyText = (s: string) => s.replace(/\r?\n/g, '\r\n');

// ---------------------------------------------------------------- exec

const SUCCESS = { metadata: {}, status: 'Success' };

export function nonZeroExitStatus(command: string[], code: number) {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function execNotFoundStatus(cmd: string) {
  const inner = `error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(cmd)}: executable file not found in $PATH: unknown`;
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${inner}`, reason: 'InternalError', details: { causes: [{ message: inner }] }, code: 500 };
}

registerSubresource('pods', 'exec', (r) => {
  const { pod, container, spec } = findPodContainer(r);
  const command = r.query.getAll('command');
  const tty = boolQ(r.query, 'tty');
  const stdinOn = boolQ(r.query, 'stdin');
  const stdoutOn = boolQ(r.query, 'stdout');
  // kubelet: "tty and stderr" → stderr is bypassed
  const stderrOn = boolQ(r.query, 'stderr') && !tty;
  if (!stdinOn && !stdoutOn && !boolQ(r.query, 'stderr')) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (!command.length) throw badRequest('you must specify at least one command for the container');
  if (!preflight(r, container, isRunning(pod, container))) return undefined;
  upgrade(r, (ch) => {
    const stdin = new StdinQueue();
    if (!stdinOn) stdin.end();
    let size: TermSize | undefined;
    const out = (s: string) => {
      if (stdoutOn) ch.write(STDOUT, tty ? ttyText(s) : s);
    };
    const err = (s: string) => {
      if (tty) out(s);
      else if (stderrOn) ch.write(STDERR, s);
    };
    const shell = new Shell(containerWorld(r.store, pod, spec, tty), { out, err }, { tty, stdin, size: () => size });
    // the pod deleted under a running command: SIGKILL, exit code 137
    const untrack = trackSession(r.store, pod.metadata.uid, () => {
      ch.status(nonZeroExitStatus(command, 137));
      ch.close();
      stdin.end();
      shell.interrupt();
    });
    void (async () => {
      let st: Record<string, unknown>;
      try {
        const code = await shell.execArgv(command);
        st = code === 0 ? SUCCESS : nonZeroExitStatus(command, code);
      } catch (e) {
        if (e instanceof CommandNotFound) st = execNotFoundStatus(e.command);
        else st = { metadata: {}, status: 'Failure', message: `Internal error occurred: ${String((e as any)?.message ?? e)}`, reason: 'InternalError', code: 500 };
      }
      untrack();
      ch.status(st);
      ch.close();
    })();
    return {
      stdin: (d) => {
        if (!stdinOn) return;
        const s = d.toString('utf8');
        // Ctrl-C on a tty interrupts the foreground command
        if (tty && s.includes('\x03')) shell.interrupt();
        stdin.push(s);
      },
      stdinEnd: () => stdin.end(),
      resize: (s) => (size = s),
      closed: () => {
        stdin.end();
        shell.interrupt();
      },
    };
  });
  return undefined;
});

// ---------------------------------------------------------------- attach

interface Attached {
  ch: Channels;
  stdout: boolean;
  stderr: boolean;
}

/** A container's main process as attach sees it. */
class MainProcess {
  readonly clients = new Set<Attached>();
  stdin = new StdinQueue();
  size: TermSize | undefined;
  shell: Shell | undefined;

  constructor(
    readonly tty: boolean,
    private onExit: () => void,
  ) {}

  broadcast(stream: number, s: string) {
    for (const c of this.clients) {
      if (stream === STDOUT || this.tty) {
        if (c.stdout) c.ch.write(STDOUT, this.tty ? ttyText(s) : s);
      } else if (c.stderr) c.ch.write(STDERR, s);
    }
  }

  /** containers with `stdin: true` run an interactive shell as their main process */
  startShell(world: ContainerEnv) {
    this.shell = new Shell(world, { out: (s) => this.broadcast(STDOUT, s), err: (s) => this.broadcast(STDERR, s) }, { tty: this.tty, stdin: this.stdin, size: () => this.size });
    void this.shell.interactive().then((code) => {
      const st = code === 0 ? SUCCESS : SUCCESS; // kubelet's ServeAttach reports Success when the process ends
      for (const c of this.clients) {
        c.ch.status(st);
        c.ch.close();
      }
      this.clients.clear();
      this.onExit();
    });
  }
}

/**
 * Output of a container's main process (non-interactive containers): reaches every client attached
 * to it at that moment, as `kubectl attach` shows a running process's output.
 */
export function emitContainerOutput(store: ObjectStore, namespace: string, pod: string, container: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): number {
  const p = store.get('', 'pods', namespace, pod);
  if (!p) return 0;
  const main = runtime(store).mains.get(`${p.metadata.uid}/${container}`);
  if (!main) return 0;
  main.broadcast(stream === 'stdout' ? STDOUT : STDERR, text);
  return main.clients.size;
}

registerSubresource('pods', 'attach', (r) => {
  const { pod, container, spec } = findPodContainer(r);
  const stdinOn = boolQ(r.query, 'stdin');
  const stdoutOn = boolQ(r.query, 'stdout');
  // the TTY of attach is the container's (it cannot change after the process started)
  const tty = !!spec.tty;
  const stderrOn = boolQ(r.query, 'stderr') && !tty;
  if (!stdinOn && !stdoutOn && !boolQ(r.query, 'stderr')) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (!preflight(r, container, isRunning(pod, container))) return undefined;
  const rt = runtime(r.store);
  const key = `${pod.metadata.uid}/${container}`;
  upgrade(r, (ch) => {
    let main = rt.mains.get(key);
    if (!main) {
      const m = new MainProcess(tty, () => {
        if (rt.mains.get(key) === m) rt.mains.delete(key);
      });
      rt.mains.set(key, m);
      if (spec.stdin) m.startShell(containerWorld(r.store, pod, spec, tty));
      main = m;
    }
    const me: Attached = { ch, stdout: stdoutOn, stderr: stderrOn };
    main.clients.add(me);
    const target = main;
    const untrack = trackSession(r.store, pod.metadata.uid, () => {
      target.clients.delete(me);
      ch.close();
      rt.mains.delete(key);
      target.stdin.end();
    });
    return {
      stdin: (d) => {
        if (!stdinOn || !spec.stdin) return;
        const s = d.toString('utf8');
        if (tty && s.includes('\x03')) target.shell?.interrupt();
        target.stdin.push(s);
      },
      // stdin of the container stays open for other clients (stdinOnce is not simulated)
      stdinEnd: () => {},
      resize: (s) => (target.size = s),
      closed: () => {
        target.clients.delete(me);
        untrack();
      },
    };
  });
  return undefined;
});

export { StatusError };
