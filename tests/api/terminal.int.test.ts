/**
 * The web terminal over a WebSocket (`/containers/<cluster>/<ns>/<pod>/exec`) bridged to the
 * cluster's pods/exec: `echo hi` answers `hi`, a resize reaches the TTY, who may open one
 * (containers:exec: a tester yes, a viewer no), the TerminalOpened/TerminalClosed events, and a
 * socket opened from another site refused.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLUSTER, NS_A, NS_B, startTenants, type Tenants } from './support/tenants';
import { createRunningPod, smallPod, waitFor } from './support/pods';

let t: Tenants;

const wsUrl = (ns: string, pod: string, query: Record<string, string> = {}) =>
  `${t.bosun.url.replace(/^http/, 'ws')}/containers/${CLUSTER}/${ns}/${pod}/exec?${new URLSearchParams(query)}`;

const csrfOf = (role: string) => t.as[role].cookies.get('bosun_csrf') ?? '';
const cookieOf = (role: string) => [...t.as[role].cookies].map(([k, v]) => `${k}=${v}`).join('; ');

interface Opened {
  ws: WebSocket;
  output: () => string;
  end: Promise<{ exitCode: number | null; reason: string }>;
  send(text: string): void;
  resize(cols: number, rows: number): void;
}

/** Opens a terminal as `role` from Bosun's own page (Origin = Bosun, CSRF token in the URL). */
function open(role: string, ns: string, pod: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Opened> {
  const origin = t.bosun.url;
  const ws = new WebSocket(wsUrl(ns, pod, { csrf: csrfOf(role), ...query }), { headers: { cookie: cookieOf(role), origin, ...headers } });
  let output = '';
  let resolveEnd!: (v: { exitCode: number | null; reason: string }) => void;
  const end = new Promise<{ exitCode: number | null; reason: string }>((r) => (resolveEnd = r));
  ws.on('message', (data: Buffer) => {
    if (data[0] === 1 || data[0] === 2) output += data.subarray(1).toString('utf8');
    if (data[0] === 3) resolveEnd(JSON.parse(data.subarray(1).toString('utf8')));
  });
  ws.on('close', () => resolveEnd({ exitCode: null, reason: 'closed' }));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        output: () => output,
        end,
        send: (text) => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(text)])),
        resize: (cols, rows) => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ cols, rows }))])),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; body?: string };
    return { status: e.status ?? 0, message: e.body ? JSON.parse(e.body).message : String(error) };
  }
  throw new Error('expected a refusal');
}

describe('web terminal', () => {
  beforeAll(async () => {
    t = await startTenants();
    await createRunningPod(t.sim, NS_A, smallPod('shell', { containers: ['app', 'sidecar'] }), 2);
    await createRunningPod(t.sim, NS_B, smallPod('other'));
  }, 180_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('runs `echo hi` in an interactive shell and answers `hi`; a resize reaches the TTY; exit ends the session', async () => {
    const term = await open('tester', NS_A, 'shell', { container: 'sidecar', cols: '100', rows: '30' });
    await waitFor('the prompt', () => term.output().includes('/ # '));
    term.send('echo hi\r');
    await waitFor('hi', () => /\r\nhi\r\n/.test(term.output()));
    term.send('stty size\r');
    await waitFor('the first size', () => term.output().includes('30 100'));
    term.resize(132, 43);
    await new Promise((r) => setTimeout(r, 100));
    term.send('stty size\r');
    await waitFor('the new size', () => term.output().includes('43 132'));
    term.send('exit 3\r');
    expect(await term.end).toEqual({ exitCode: 3, reason: 'exited 3' });
  });

  it('records TerminalOpened and TerminalClosed under the namespace (module containers)', async () => {
    const term = await open('developer', NS_A, 'shell', { command: 'sh' });
    await waitFor('the prompt', () => term.output().includes('/ # '));
    term.ws.close();
    const events = await waitFor('both events', async () => {
      const records = (await t.admin.client.audit.list.query({ module: 'containers', outcome: 'accepted', user: 'r-developer' })).items;
      return records.length >= 2 ? records : null;
    });
    expect(events.map((r: any) => r.action).sort()).toEqual(['CloseTerminal', 'OpenTerminal']);
    for (const r of events as any[]) expect(r.target).toMatchObject({ kind: 'namespace', clusterId: CLUSTER, namespace: NS_A, workspaceId: 'tenant-a' });

    const all = await t.bosun.services.store.readAll({ filter: { types: ['TerminalOpened', 'TerminalClosed'] } as any });
    const opened = all.filter((e: any) => e.type === 'TerminalOpened' && e.data.pod === 'shell' && e.metadata?.actor?.id === 'r-developer');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ streamId: `terminal-${(opened[0] as any).data.sessionId}` });
    expect((opened[0] as any).data).toMatchObject({ clusterId: CLUSTER, namespace: NS_A, pod: 'shell', container: 'app', command: ['sh'] });
    const closed = all.filter((e: any) => e.type === 'TerminalClosed' && e.data.sessionId === (opened[0] as any).data.sessionId);
    expect(closed).toHaveLength(1);
    expect((closed[0] as any).data.durationMs).toBeGreaterThanOrEqual(0);
    expect((closed[0] as any).data.reason).toBe('closed by the browser');
  });

  it('allows containers:exec only: a tester opens one, a viewer and a workspace admin are refused (and audited)', async () => {
    const viewer = await refusal(open('viewer', NS_A, 'shell'));
    expect(viewer.status).toBe(403);
    expect(viewer.message).toBe(`forbidden: you lack the permission containers:exec on namespace "${NS_A}" on cluster "${CLUSTER}"`);
    expect((await refusal(open('workspace-admin', NS_A, 'shell'))).status).toBe(403);
    // Another tenant's namespace is refused exactly like one that does not exist.
    const foreign = await refusal(open('tester', NS_B, 'other'));
    const unknown = await refusal(open('tester', 'nowhere', 'other'));
    expect(foreign.status).toBe(403);
    expect(foreign.message.replace(NS_B, 'X')).toBe(unknown.message.replace('nowhere', 'X'));
    await waitFor('the refusal audited', async () => (await t.admin.client.audit.list.query({ module: 'containers', outcome: 'rejected', action: 'OpenTerminal' })).items.length >= 2);
    // A container that does not exist is the cluster's 400, relayed.
    const bad = await refusal(open('tester', NS_A, 'shell', { container: 'nope' }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('container');
  });

  it('refuses a WebSocket opened from another site, and one without the CSRF token', async () => {
    const crossSite = await refusal(open('tester', NS_A, 'shell', {}, { origin: 'https://evil.example' }));
    expect(crossSite.status).toBe(403);
    expect(crossSite.message).toContain('https://evil.example');
    const noToken = await refusal(open('tester', NS_A, 'shell', { csrf: '' }));
    expect(noToken.status).toBe(403);
    expect(noToken.message).toContain('CSRF');
    const signedOut = await refusal(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl(NS_A, 'shell'));
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode, body: JSON.stringify({ message: 'signed out' }) })));
        ws.once('error', reject);
      }),
    );
    expect(signedOut.status).toBe(401);
  });

  it('refuses a terminal path with dot segments like any other (unauthenticated: 401), and keeps serving', async () => {
    // Matched as sent, `%2e%2e` is a pod name; resolved by URL parsing, the path lost a segment and the upgrade threw.
    const { hostname, port } = new URL(t.bosun.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ hostname, port, path: `/containers/${CLUSTER}/${NS_A}/%2e%2e/exec`, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    expect((await fetch(`${t.bosun.url}/healthz`)).status).toBe(200);
  });
});
