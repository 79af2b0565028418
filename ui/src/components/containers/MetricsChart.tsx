/**
 * CPU and memory of a pod and of each of its containers, from metrics.k8s.io, refreshed live: the
 * page polls every few seconds and keeps a short history in memory (nothing is stored). The
 * containers' requests and limits are drawn as reference lines. Plain SVG, no chart library.
 */
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { t } from '../../i18n';
import { api, toApiError, type RouterOutputs } from '../../lib/api';
import { Empty } from '../States';
import './containers.css';

export interface Sample {
  /** epoch ms */
  at: number;
  value: number;
}

const W = 420;
const H = 180;
const PAD = { left: 52, right: 10, top: 10, bottom: 22 };

/** A nice round upper bound for the axis. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function MetricsChart(props: {
  title: string;
  samples: Sample[];
  request: number | null;
  limit: number | null;
  format: (v: number) => string;
  /** The time window shown, in ms. */
  windowMs: number;
  testid?: string;
}) {
  /** The span shown: the history so far (at least a minute), up to `windowMs`. */
  const span = createMemo(() => {
    const s = props.samples;
    const seen = s.length > 1 ? s[s.length - 1].at - s[0].at : 0;
    return Math.min(props.windowMs, Math.max(60_000, seen));
  });
  const geometry = createMemo(() => {
    const now = props.samples.length ? props.samples[props.samples.length - 1].at : Date.now();
    const windowMs = span();
    const from = now - windowMs;
    const top = niceMax(Math.max(0, ...props.samples.map((s) => s.value), props.request ?? 0, props.limit ?? 0) * 1.1);
    const x = (at: number) => PAD.left + ((at - from) / windowMs) * (W - PAD.left - PAD.right);
    const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
    const points = props.samples.filter((s) => s.at >= from).map((s) => `${x(s.at).toFixed(1)},${y(s.value).toFixed(1)}`);
    const area = points.length > 1 ? `M${points[0]} L${points.slice(1).join(' L')} L${x(props.samples[props.samples.length - 1].at).toFixed(1)},${y(0)} L${points[0].split(',')[0]},${y(0)} Z` : '';
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ v: top * f, y: y(top * f) }));
    const latest = props.samples[props.samples.length - 1];
    // The latest sample gets a dot: with one sample so far, the line alone draws nothing.
    const dot = latest && latest.at >= from ? { x: x(latest.at), y: y(latest.value) } : null;
    return { x, y, points: points.join(' '), area, ticks, top, dot };
  });
  const last = () => props.samples[props.samples.length - 1]?.value;
  return (
    <div class="metrics-card card" data-testid={props.testid}>
      <h4>
        <span>{props.title}</span>
        <span class="muted" data-testid={props.testid ? `${props.testid}-value` : undefined}>
          {last() !== undefined ? props.format(last()!) : '—'}
        </span>
      </h4>
      <svg class="metrics-chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={props.title}>
        <For each={geometry().ticks}>
          {(tick) => (
            <>
              <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={tick.y} y2={tick.y} />
              <text class="axis-label" x={PAD.left - 6} y={tick.y + 3} text-anchor="end">
                {props.format(tick.v)}
              </text>
            </>
          )}
        </For>
        <text class="axis-label" x={PAD.left} y={H - 6}>
          {span() < 120_000 ? t('pods.metrics.agoSeconds', { n: Math.round(span() / 1000) }) : t('pods.metrics.ago', { n: Math.round(span() / 60000) })}
        </text>
        <text class="axis-label" x={W - PAD.right} y={H - 6} text-anchor="end">
          {t('pods.metrics.now')}
        </text>
        <Show when={geometry().area}>
          <path class="usage-area" d={geometry().area} />
        </Show>
        <polyline class="usage-line" points={geometry().points} data-testid={props.testid ? `${props.testid}-line` : undefined} />
        <Show when={geometry().dot}>{(dot) => <circle class="usage-dot" cx={dot().x} cy={dot().y} r="3" />}</Show>
        <Show when={props.request !== null && props.request > 0}>
          <line class="ref-request" x1={PAD.left} x2={W - PAD.right} y1={geometry().y(props.request!)} y2={geometry().y(props.request!)} data-testid="ref-request" />
        </Show>
        <Show when={props.limit !== null && props.limit > 0}>
          <line class="ref-limit" x1={PAD.left} x2={W - PAD.right} y1={geometry().y(props.limit!)} y2={geometry().y(props.limit!)} data-testid="ref-limit" />
        </Show>
      </svg>
      <div class="metrics-legend">
        <span>
          <i style={{ 'border-color': 'var(--accent)' }} />
          {t('pods.metrics.usage')}
        </span>
        <Show when={props.request !== null}>
          <span>
            <i style={{ 'border-color': 'var(--warn)', 'border-top-style': 'dashed' }} />
            {t('pods.metrics.request')} {props.format(props.request!)}
          </span>
        </Show>
        <Show when={props.limit !== null}>
          <span>
            <i style={{ 'border-color': 'var(--bad)', 'border-top-style': 'dotted' }} />
            {t('pods.metrics.limit')} {props.format(props.limit!)}
          </span>
        </Show>
      </div>
    </div>
  );
}

export const formatCores = (cores: number) => (cores >= 1 ? `${cores.toFixed(2)}` : `${Math.round(cores * 1000)}m`);
export function formatBytes(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

type MetricsDto = RouterOutputs['pods']['metrics'];

const POLL_MS = 5000;
const HISTORY = 120;

/** Polls the pod's metrics and draws per-pod and per-container CPU and memory. */
export function PodMetrics(props: { clusterId: string; namespace: string; pod: string; pollMs?: number }) {
  const [latest, setLatest] = createSignal<MetricsDto | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [history, setHistory] = createSignal<Record<string, { cpu: Sample[]; memory: Sample[] }>>({});
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const poll = async () => {
    try {
      const m = await api.pods.metrics.query({ clusterId: props.clusterId, namespace: props.namespace, name: props.pod });
      if (stopped) return;
      setLatest(m);
      setError(null);
      if (!m.available) return;
      const at = Date.now();
      setHistory((h) => {
        const next = { ...h };
        const add = (key: string, cpu: number | null, memory: number | null) => {
          const prev = next[key] ?? { cpu: [], memory: [] };
          next[key] = {
            cpu: cpu === null ? prev.cpu : [...prev.cpu, { at, value: cpu }].slice(-HISTORY),
            memory: memory === null ? prev.memory : [...prev.memory, { at, value: memory }].slice(-HISTORY),
          };
        };
        for (const c of m.containers) add(c.name, c.cpu, c.memory);
        add('', m.containers.reduce((s, c) => s + (c.cpu ?? 0), 0), m.containers.reduce((s, c) => s + (c.memory ?? 0), 0));
        return next;
      });
    } catch (e) {
      if (!stopped) setError(toApiError(e).message);
    }
  };

  onMount(() => {
    void poll();
    timer = setInterval(() => void poll(), props.pollMs ?? POLL_MS);
  });
  onCleanup(() => {
    stopped = true;
    clearInterval(timer);
  });

  const windowMs = () => HISTORY * (props.pollMs ?? POLL_MS);
  const sum = (pick: (c: MetricsDto['containers'][number]) => number | null) => {
    const values = (latest()?.containers ?? []).map(pick);
    return values.every((v) => v !== null) ? values.reduce((s, v) => s! + v!, 0)! : null;
  };

  return (
    <div data-testid="pod-metrics">
      <Show when={error()}>
        <div class="load-error" role="alert">
          {error()}
        </div>
      </Show>
      <Show when={latest()} fallback={<Show when={!error()}><div class="loading"><span class="spinner" />{t('common.loading')}</div></Show>}>
        {(m) => (
          <Show
            when={m().available}
            fallback={
              <Empty
                testid="no-metrics"
                title={m().reason === 'no-metrics-server' ? t('pods.metrics.noServer') : t('pods.metrics.noSample')}
                hint={m().reason === 'no-metrics-server' ? t('pods.metrics.noServerHint') : t('pods.metrics.noSampleHint')}
              />
            }
          >
            <p class="muted small">{t('pods.metrics.hint', { s: Math.round((props.pollMs ?? POLL_MS) / 1000) })}</p>
            <h3>{t('pods.metrics.pod')}</h3>
            <div class="metrics-grid">
              <MetricsChart title={t('pods.metrics.cpu')} testid="chart-pod-cpu" samples={history()['']?.cpu ?? []} request={sum((c) => c.requests.cpu)} limit={sum((c) => c.limits.cpu)} format={formatCores} windowMs={windowMs()} />
              <MetricsChart title={t('pods.metrics.memory')} testid="chart-pod-memory" samples={history()['']?.memory ?? []} request={sum((c) => c.requests.memory)} limit={sum((c) => c.limits.memory)} format={formatBytes} windowMs={windowMs()} />
            </div>
            <Show when={m().containers.length > 0}>
              <For each={m().containers}>
                {(c) => (
                  <>
                    <h3>{t('pods.metrics.container', { name: c.name })}</h3>
                    <div class="metrics-grid">
                      <MetricsChart title={t('pods.metrics.cpu')} testid={`chart-${c.name}-cpu`} samples={history()[c.name]?.cpu ?? []} request={c.requests.cpu} limit={c.limits.cpu} format={formatCores} windowMs={windowMs()} />
                      <MetricsChart title={t('pods.metrics.memory')} testid={`chart-${c.name}-memory`} samples={history()[c.name]?.memory ?? []} request={c.requests.memory} limit={c.limits.memory} format={formatBytes} windowMs={windowMs()} />
                    </div>
                  </>
                )}
              </For>
            </Show>
          </Show>
        )}
      </Show>
    </div>
  );
}
