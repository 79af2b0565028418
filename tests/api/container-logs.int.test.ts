/**
 * Container logs over the plain HTTP route `GET /containers/<cluster>/<ns>/<pod>/log`: followed as the
 * sim clock moves, tail, the previous instance of a crash-looping container, 400 naming the option,
 * and who may read (containers:logs on the namespace; a foreign namespace refused like an unknown one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, NS_A, NS_B, startTenants, type Tenants } from './support/tenants';
import { createRunningPod, smallPod, waitFor } from './support/pods';

let t: Tenants;

const logUrl = (ns: string, pod: string, query = '') => `${t.bosun.url}/containers/${CLUSTER}/${ns}/${pod}/log${query ? `?${query}` : ''}`;

async function get(role: string, url: string): Promise<{ status: number; body: string; json: any }> {
  const res = await fetch(url, { headers: { cookie: t.as[role].cookie() } });
  const body = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(body);
  } catch {
    json = null;
  }
  return { status: res.status, body, json };
}

/** Follows a log: collects lines as they arrive until aborted. */
async function follow(role: string, url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { cookie: t.as[role].cookie() }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  let text = '';
  let ended = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  const lines = () => text.split('\n').filter(Boolean);
  return {
    lines,
    ended: () => ended,
    waitForLines: (n: number, what = `${n} lines`) => waitFor(what, () => lines().length >= n),
    async stop() {
      controller.abort();
      await pump;
    },
  };
}

describe('container logs route', () => {
  beforeAll(async () => {
    t = await startTenants();
    await createRunningPod(t.sim, NS_A, smallPod('quiet', { annotations: { 'kube-sim.bosun.io/log-lines-per-second': '0' } }));
    await createRunningPod(t.sim, NS_A, smallPod('ticker', { annotations: { 'kube-sim.bosun.io/log-lines-per-second': '2' } }));
    await createRunningPod(t.sim, NS_B, smallPod('secret-app'));
  }, 180_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('follows a log: appended lines and lines made as the sim clock advances arrive while the stream is open', async () => {
    const followed = await follow('tester', logUrl(NS_A, 'quiet', 'follow=true'));
    t.sim.logs.append(NS_A, 'quiet', 'app', 'first line');
    t.sim.logs.append(NS_A, 'quiet', 'app', 'second line');
    await followed.waitForLines(2);
    expect(followed.lines()).toEqual(['first line', 'second line']);
    t.sim.logs.append(NS_A, 'quiet', 'app', 'third line');
    await followed.waitForLines(3);
    expect(followed.ended()).toBe(false);
    await followed.stop();

    const ticking = await follow('developer', logUrl(NS_A, 'ticker', 'follow=1&tailLines=0&timestamps=true'));
    t.sim.clock.advance(10_000);
    const lines = await ticking.waitForLines(15, 'lines generated over 10 s of sim time at 2 lines/s');
    expect(lines).toBe(true);
    for (const line of ticking.lines()) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /);
    await ticking.stop();
  });

  it('ends the cluster call when the reader goes away', async () => {
    const followed = await follow('tester', logUrl(NS_A, 'quiet', 'follow=true&tailLines=1'));
    await followed.waitForLines(1);
    const pod = await t.sim.store.get('', 'pods', NS_A, 'quiet');
    const containerID = pod.status.containerStatuses[0].containerID;
    expect(t.sim.logs.instance(containerID)!.followers.size).toBe(1);
    await followed.stop();
    await waitFor('the follower to be gone', () => t.sim.logs.instance(containerID)!.followers.size === 0);
  });

  it('serves the last lines with tailLines, and sinceSeconds', async () => {
    t.sim.logs.append(NS_A, 'quiet', 'app', 'fourth line');
    const tail = await get('tester', logUrl(NS_A, 'quiet', 'tailLines=2'));
    expect(tail.status).toBe(200);
    expect(tail.body).toBe('third line\nfourth line\n');
    const all = await get('tester', logUrl(NS_A, 'quiet', 'sinceSeconds=3600&container=app'));
    expect(all.body.split('\n').filter(Boolean)).toEqual(['first line', 'second line', 'third line', 'fourth line']);
  });

  it('shows the previous instance of a crash-looping container, and relays the cluster refusal when there is none', async () => {
    await createRunningPod(t.sim, NS_A, smallPod('crashy', { image: 'bosun/crash-loop:1' }));
    const core = (await import('./support/pods')).coreOf(t.sim);
    await waitFor('a restart', async () => ((await core.readNamespacedPod({ namespace: NS_A, name: 'crashy' })).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 20_000);
    const previous = await get('tester', logUrl(NS_A, 'crashy', 'previous=true'));
    expect(previous.status).toBe(200);
    expect(previous.body).toMatch(/starting \(pid \d+\)/);
    const none = await get('tester', logUrl(NS_A, 'quiet', 'previous=true'));
    expect(none.status).toBe(400);
    expect(none.json.error).toContain('previous terminated container "app" in pod "quiet" not found');
  });

  it('refuses bad options with 400 naming the field, before asking the cluster', async () => {
    const cases: [string, string][] = [
      ['tailLines=-1', 'tailLines'],
      ['tailLines=ten', 'tailLines'],
      ['sinceSeconds=0', 'sinceSeconds'],
      ['follow=maybe', 'follow'],
      ['previous=yes', 'previous'],
      ['container=Bad_Name', 'container'],
      ['colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await get('tester', logUrl(NS_A, 'quiet', query));
      expect(res.status, query).toBe(400);
      expect(res.json.field, query).toBe(field);
      expect(res.json.error.startsWith(`${field}: `), res.json.error).toBe(true);
    }
    const noPod = await get('tester', logUrl(NS_A, 'no-such-pod'));
    expect(noPod.status).toBe(404);
    expect(noPod.json.error).toContain('pods "no-such-pod" not found');
  });

  it('pods router: detail with containers and resources, events, metrics with requests and limits; readable by a viewer', async () => {
    const viewer = t.as['viewer'].client;
    const pod = await viewer.pods.get.query({ clusterId: CLUSTER, namespace: NS_A, name: 'ticker' });
    expect(pod).toMatchObject({ name: 'ticker', namespace: NS_A, workspaceId: 'tenant-a', phase: 'Running', status: 'Running', ready: '1/1' });
    expect(pod.containers[0]).toMatchObject({ name: 'app', state: 'running', requests: { cpu: 0.02, memory: 16 * 1024 ** 2 }, limits: { cpu: 0.05, memory: 32 * 1024 ** 2 } });
    const events = await viewer.pods.events.query({ clusterId: CLUSTER, namespace: NS_A, name: 'ticker' });
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
    const metrics = await waitFor('a metrics sample', async () => {
      t.sim.clock.advance(15_000);
      const m = await viewer.pods.metrics.query({ clusterId: CLUSTER, namespace: NS_A, name: 'ticker' });
      return m.available ? m : null;
    });
    expect(metrics.containers[0].cpu).toBeGreaterThan(0);
    expect(metrics.containers[0].memory).toBeGreaterThan(0);
    expect(metrics.containers[0].requests.cpu).toBe(0.02);
    const missing = await viewer.pods.get.query({ clusterId: CLUSTER, namespace: NS_A, name: 'nope' }).catch((e) => e);
    expect(missing.data.httpStatus).toBe(404);
    const foreign = await viewer.pods.get.query({ clusterId: CLUSTER, namespace: NS_B, name: 'secret-app' }).catch((e) => e);
    expect(foreign.data.httpStatus).toBe(403);
  });

  it('refuses a viewer (no containers:logs), a caller signed out, and a foreign namespace exactly like an unknown one', async () => {
    const viewer = await get('viewer', logUrl(NS_A, 'quiet'));
    expect(viewer.status).toBe(403);
    expect(viewer.json.error).toBe(`forbidden: you lack the permission containers:logs on namespace "${NS_A}" on cluster "${CLUSTER}"`);
    const anonymous = await fetch(logUrl(NS_A, 'quiet'));
    expect(anonymous.status).toBe(401);

    const foreign = await get('tester', logUrl(NS_B, 'secret-app'));
    const unknown = await get('tester', logUrl('no-such-ns', 'secret-app'));
    expect(foreign.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(foreign.json.error.replace(NS_B, 'X')).toBe(unknown.json.error.replace('no-such-ns', 'X'));
    expect(foreign.body).not.toContain('secret-app');

    // The refusals are audited (module containers).
    await waitFor('the refusal in the audit trail', async () =>
      (await t.admin.client.audit.list.query({ module: 'containers', action: 'ReadContainerLog', outcome: 'rejected' })).items.length > 0,
    );

    // An ops engineer of the namespace reads it too; a platform admin everywhere.
    expect((await get('ops-engineer', logUrl(NS_A, 'quiet', 'tailLines=1'))).status).toBe(200);
    expect((await get('platform-admin', logUrl(NS_B, 'secret-app', 'tailLines=1'))).status).toBe(200);
  });
});
