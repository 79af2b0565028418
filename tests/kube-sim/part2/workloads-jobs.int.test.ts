import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, eventsFor, podsOf, setPodPhase, setPodReady, startEnv, waitFor, type WorkloadEnv } from './workloads-support';

let env: WorkloadEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.sim.stop();
});

const job = (name: string, spec: any = {}) => ({
  metadata: { name },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [container('busybox:1.36', { command: ['true'] })] } }, ...spec },
});

const readJob = async (name: string) => (await env.batch.readNamespacedJob({ name, namespace: env.ns })) as any;

describe('Job', () => {
  it('runs parallelism pods until completions succeed, then Complete', async () => {
    const { batch, sim, ns } = env;
    const created: any = await batch.createNamespacedJob({ namespace: ns, body: job('ok', { completions: 3, parallelism: 2 }) });
    const pods = await waitFor('2 pods', () => podsOf(sim, ns, 'ok-').length === 2 && podsOf(sim, ns, 'ok-'));
    const uid = created.metadata.uid;
    expect(pods[0].metadata.labels).toMatchObject({ 'job-name': 'ok', 'controller-uid': uid, 'batch.kubernetes.io/job-name': 'ok', 'batch.kubernetes.io/controller-uid': uid });
    expect(pods[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'ok', controller: true, blockOwnerDeletion: true });
    let j = await readJob('ok');
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(j.status).toMatchObject({ active: 2 });
    expect(j.status.startTime).toBeTruthy();
    for (const p of pods) setPodReady(sim, p);
    await waitFor('ready 2', async () => (await readJob('ok')).status.ready === 2);
    setPodPhase(sim, pods[0], 'Succeeded');
    setPodPhase(sim, pods[1], 'Succeeded');
    // one more completion needed: parallelism bounded by remaining completions
    await waitFor('3rd pod', () => podsOf(sim, ns, 'ok-').filter((p) => p.status.phase === 'Pending').length === 1);
    expect(podsOf(sim, ns, 'ok-')).toHaveLength(3);
    setPodPhase(sim, podsOf(sim, ns, 'ok-').find((p) => p.status.phase === 'Pending'), 'Succeeded');
    j = await waitFor('complete', async () => {
      const x = await readJob('ok');
      return x.status.conditions?.some((c: any) => c.type === 'Complete') && x;
    });
    expect(j.status.succeeded).toBe(3);
    expect(j.status.active).toBeUndefined();
    expect(j.status.completionTime).toBeTruthy();
    expect(j.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(eventsFor(sim, ns, 'ok').map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'Completed']));
  });

  it('fails with BackoffLimitExceeded after backoffLimit + 1 failed pods (pod backoff on the sim clock)', async () => {
    const { batch, sim, ns } = env;
    await batch.createNamespacedJob({ namespace: ns, body: job('bad', { backoffLimit: 1 }) });
    const p1 = await waitFor('pod 1', () => podsOf(sim, ns, 'bad-')[0]);
    setPodPhase(sim, p1, 'Failed');
    await waitFor('failed 1', async () => (await readJob('bad')).status.failed === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(podsOf(sim, ns, 'bad-')).toHaveLength(1); // waiting out the 10 s backoff
    sim.clock.advance(11_000);
    const p2 = await waitFor('pod 2', () => podsOf(sim, ns, 'bad-').find((p) => p.status.phase === 'Pending'));
    setPodPhase(sim, p2, 'Failed');
    const j = await waitFor('failed', async () => {
      const x = await readJob('bad');
      return x.status.conditions?.some((c: any) => c.type === 'Failed') && x;
    });
    expect(j.status.failed).toBe(2);
    expect(j.status.conditions.map((c: any) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(j.status.completionTime).toBeUndefined();
    expect(eventsFor(sim, ns, 'bad').find((e) => e.reason === 'BackoffLimitExceeded')?.type).toBe('Warning');
  });

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its pods', async () => {
    const { batch, sim, ns } = env;
    await batch.createNamespacedJob({ namespace: ns, body: job('slow', { activeDeadlineSeconds: 30 }) });
    await waitFor('pod', () => podsOf(sim, ns, 'slow-').length === 1);
    await waitFor('started', async () => (await readJob('slow')).status?.startTime);
    sim.clock.advance(31_000);
    const j = await waitFor('deadline', async () => {
      const x = await readJob('slow');
      return x.status.conditions?.some((c: any) => c.type === 'Failed') && x;
    });
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(podsOf(sim, ns, 'slow-')).toHaveLength(0);
    expect(j.status.failed).toBe(1); // the terminated active pod counts as failed
    expect(j.status.active).toBeUndefined();
  });
});

const cron = (name: string, schedule: string, spec: any = {}) => ({
  metadata: { name },
  spec: { schedule, jobTemplate: { metadata: { labels: { cron: name } }, spec: job('x').spec }, ...spec },
});
const jobsOf = (name: string) => env.sim.store.list('batch', 'jobs', env.ns).filter((j) => j.metadata.ownerReferences?.[0]?.name === name);
const finishJob = (name: string) => {
  for (const p of podsOf(env.sim, env.ns, `${name}-`)) setPodPhase(env.sim, p, 'Succeeded');
};

describe('CronJob', () => {
  it('creates <name>-<unix minutes> Jobs as the sim clock advances (Allow), tracks status and history', async () => {
    const { batch, sim, ns } = env;
    await batch.createNamespacedCronJob({ namespace: ns, body: cron('tick', '* * * * *', { successfulJobsHistoryLimit: 1 }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(jobsOf('tick')).toHaveLength(0);
    sim.clock.advance(60_000);
    const j1 = jobsOf('tick')[0];
    expect(j1).toBeTruthy();
    const minute = Math.floor(sim.clock.now() / 60_000);
    expect(j1.metadata.name).toBe(`tick-${minute}`);
    expect(j1.metadata.labels).toEqual({ cron: 'tick' });
    expect(j1.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));
    expect(j1.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    const cj: any = await batch.readNamespacedCronJob({ name: 'tick', namespace: ns });
    expect(cj.status.active).toEqual([expect.objectContaining({ kind: 'Job', name: j1.metadata.name, namespace: ns, apiVersion: 'batch/v1' })]);
    expect(new Date(cj.status.lastScheduleTime).toISOString()).toBe(new Date(minute * 60_000).toISOString());
    expect(eventsFor(sim, ns, 'tick').find((e) => e.reason === 'SuccessfulCreate')?.message).toBe(`Created job ${j1.metadata.name}`);
    // Allow: a second Job while the first is still running
    sim.clock.advance(60_000);
    expect(jobsOf('tick')).toHaveLength(2);
    await waitFor('pods', () => podsOf(sim, ns, 'tick-').length === 2);
    finishJob('tick');
    const done: any = await waitFor('lastSuccessfulTime', async () => {
      const x: any = await batch.readNamespacedCronJob({ name: 'tick', namespace: ns });
      return x.status.lastSuccessfulTime && !x.status.active && x;
    });
    expect(done.status.lastSuccessfulTime).toBeTruthy();
    await waitFor('history limit 1', () => jobsOf('tick').length === 1);
    expect(eventsFor(sim, ns, 'tick').map((e) => e.reason)).toEqual(expect.arrayContaining(['SawCompletedJob', 'SuccessfulDelete']));
    await batch.patchNamespacedCronJob({ name: 'tick', namespace: ns, body: { spec: { suspend: true } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await new Promise((r) => setTimeout(r, 50));
    sim.clock.advance(120_000);
    expect(jobsOf('tick')).toHaveLength(1);
  });

  it('Forbid skips while a Job is active; Replace deletes the active Job', async () => {
    const { batch, sim, ns } = env;
    await batch.createNamespacedCronJob({ namespace: ns, body: cron('fb', '*/2 * * * *', { concurrencyPolicy: 'Forbid' }) });
    await batch.createNamespacedCronJob({ namespace: ns, body: cron('rp', '*/2 * * * *', { concurrencyPolicy: 'Replace' }) });
    await new Promise((r) => setTimeout(r, 50));
    sim.clock.advance(120_000);
    expect(jobsOf('fb')).toHaveLength(1);
    expect(jobsOf('rp')).toHaveLength(1);
    const firstRp = jobsOf('rp')[0].metadata.name;
    await new Promise((r) => setTimeout(r, 50));
    sim.clock.advance(120_000);
    expect(jobsOf('fb')).toHaveLength(1);
    expect(eventsFor(sim, ns, 'fb').find((e) => e.reason === 'JobAlreadyActive')?.message).toBe('Not starting job because prior execution is running and concurrency policy is Forbid');
    await waitFor('replaced', () => jobsOf('rp').length === 1 && jobsOf('rp')[0].metadata.name !== firstRp);
    expect(eventsFor(sim, ns, 'rp').find((e) => e.reason === 'SuccessfulDelete')?.message).toBe(`Deleted job ${firstRp}`);
  });

  it('schedules in spec.timeZone and understands names and ranges', async () => {
    const { batch, sim, ns } = env;
    // every minute on every weekday name range: fires at the next minute whatever the day
    await batch.createNamespacedCronJob({ namespace: ns, body: cron('tz', '* * * JAN-DEC SUN-SAT', { timeZone: 'Asia/Kolkata' }) });
    await new Promise((r) => setTimeout(r, 50));
    sim.clock.advance(60_000);
    const j = jobsOf('tz')[0];
    expect(j).toBeTruthy();
    expect(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toMatch(/\+05:30$/);
  });
});
