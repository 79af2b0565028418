/**
 * A container's log, live: container picker, follow, tail length, since, timestamps, previous
 * instance, search within (highlighted, counted, next/previous), download as a .log file.
 *
 * Built to keep up with thousands of lines a second: arriving lines are queued and appended once
 * per animation frame (one re-render per frame, not per line), the list is virtualized (only the
 * rows in view exist in the DOM) and no line is ever dropped.
 */
import { createEffect, createMemo, createSignal, For, Index, on, onCleanup, Show } from 'solid-js';
import { t } from '../../i18n';
import { LogStreamError, streamLog, type PodRef } from '../../lib/containers';
import './containers.css';

const ROW_HEIGHT = 18;
const OVERSCAN = 20;
const TAILS = [100, 500, 1000, 5000] as const;
const SINCES = [
  { id: 'all', seconds: null },
  { id: '5m', seconds: 300 },
  { id: '1h', seconds: 3600 },
  { id: '24h', seconds: 86400 },
] as const;

export function LogViewer(props: PodRef & { containers: string[] }) {
  const [container, setContainer] = createSignal(props.containers[0] ?? '');
  const [follow, setFollow] = createSignal(true);
  const [tail, setTail] = createSignal<number | null>(500);
  const [since, setSince] = createSignal<(typeof SINCES)[number]['id']>('all');
  const [timestamps, setTimestamps] = createSignal(false);
  const [previous, setPrevious] = createSignal(false);
  const [search, setSearch] = createSignal('');
  const [state, setState] = createSignal<'connecting' | 'streaming' | 'ended' | 'error'>('connecting');
  const [error, setError] = createSignal<string | null>(null);

  // The lines live in a plain array; `version` tells the view when it grew.
  let lines: string[] = [];
  let pending: string[] = [];
  let frame = 0;
  const [version, setVersion] = createSignal(0);
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(480);
  const [stick, setStick] = createSignal(true);
  let scroller: HTMLDivElement | undefined;

  const flush = () => {
    frame = 0;
    if (pending.length === 0) return;
    for (const l of pending) lines.push(l);
    pending = [];
    setVersion((v) => v + 1);
  };
  const enqueue = (batch: string[]) => {
    for (const l of batch) pending.push(l);
    if (!frame) frame = requestAnimationFrame(flush);
  };

  let controller: AbortController | null = null;
  /** Bumped each time the log is read afresh (the search recounts). */
  let generation = 0;
  const start = () => {
    generation++;
    controller?.abort();
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    lines = [];
    pending = [];
    setVersion((v) => v + 1);
    setError(null);
    const mine = new AbortController();
    controller = mine;
    const sinceSeconds = SINCES.find((s) => s.id === since())?.seconds ?? null;
    setState('streaming');
    streamLog(
      props,
      { container: container(), follow: follow() && !previous(), tailLines: tail(), sinceSeconds, timestamps: timestamps(), previous: previous() },
      enqueue,
      mine.signal,
    )
      .then(() => {
        if (controller !== mine) return;
        flush();
        setState('ended');
      })
      .catch((e: unknown) => {
        if (controller !== mine || mine.signal.aborted) return;
        flush();
        setState('error');
        setError(e instanceof LogStreamError ? e.message : String((e as Error)?.message ?? e));
      });
  };

  createEffect(on([container, follow, tail, since, timestamps, previous], start));
  onCleanup(() => {
    controller?.abort();
    if (frame) cancelAnimationFrame(frame);
  });

  // Search: matches counted over all lines (incrementally as lines arrive), highlighted in view.
  const needle = createMemo(() => search().trim().toLowerCase());
  let counted = 0;
  let countedFor = '';
  let countedGeneration = -1;
  let runningTotal = 0;
  let matchLines: number[] = [];
  const [matchCount, setMatchCount] = createSignal(0);
  const [current, setCurrent] = createSignal(-1);
  createEffect(on(needle, () => setCurrent(-1)));
  createEffect(() => {
    version();
    const n = needle();
    if (n !== countedFor || generation !== countedGeneration) {
      counted = 0;
      runningTotal = 0;
      matchLines = [];
      countedFor = n;
      countedGeneration = generation;
    }
    if (!n) {
      counted = lines.length;
      setMatchCount(0);
      return;
    }
    for (let i = counted; i < lines.length; i++) {
      const hits = countIn(lines[i].toLowerCase(), n);
      if (hits > 0) {
        matchLines.push(i);
        runningTotal += hits;
      }
    }
    counted = lines.length;
    setMatchCount(runningTotal);
  });

  const jump = (delta: 1 | -1) => {
    if (matchLines.length === 0) return;
    const next = (current() + delta + matchLines.length) % matchLines.length;
    setCurrent(next);
    setStick(false);
    if (scroller) scroller.scrollTop = Math.max(0, matchLines[next] * ROW_HEIGHT - viewport() / 2);
  };

  // Virtualized rows: only those in view (plus some overscan) are rendered.
  const total = createMemo(() => {
    version();
    return lines.length;
  });
  const range = createMemo(() => {
    const first = Math.max(0, Math.floor(scrollTop() / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total(), Math.ceil((scrollTop() + viewport()) / ROW_HEIGHT) + OVERSCAN);
    return { first, last };
  });
  const visible = createMemo(() => {
    version();
    const { first, last } = range();
    const out: { index: number; text: string }[] = [];
    for (let i = first; i < last; i++) out.push({ index: i, text: lines[i] });
    return out;
  });

  // Following: stay at the bottom while the user has not scrolled up.
  createEffect(
    on(total, () => {
      if (stick() && scroller) {
        scroller.scrollTop = scroller.scrollHeight;
        setScrollTop(scroller.scrollTop);
      }
    }),
  );

  const onScroll = () => {
    if (!scroller) return;
    setScrollTop(scroller.scrollTop);
    setStick(scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - ROW_HEIGHT * 2);
  };

  let observer: ResizeObserver | undefined;
  const bindScroller = (el: HTMLDivElement) => {
    scroller = el;
    observer = new ResizeObserver(() => setViewport(el.clientHeight || 480));
    observer.observe(el);
  };
  onCleanup(() => observer?.disconnect());

  const download = () => {
    flush();
    const blob = new Blob([lines.join('\n') + (lines.length ? '\n' : '')], { type: 'text/plain;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    a.download = `${props.pod}-${container()}${previous() ? '-previous' : ''}-${stamp}.log`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <div class="log-viewer" data-testid="log-viewer">
      <div class="log-toolbar">
        <Show when={props.containers.length > 1}>
          <label class="log-control">
            <span>{t('pods.logs.container')}</span>
            <select data-testid="log-container" value={container()} onChange={(e) => setContainer(e.currentTarget.value)}>
              <For each={props.containers}>{(c) => <option value={c}>{c}</option>}</For>
            </select>
          </label>
        </Show>
        <label class="log-control">
          <input type="checkbox" data-testid="log-follow" checked={follow()} disabled={previous()} onChange={(e) => setFollow(e.currentTarget.checked)} />
          <span>{t('pods.logs.follow')}</span>
        </label>
        <label class="log-control">
          <span>{t('pods.logs.tail')}</span>
          <select data-testid="log-tail" value={tail() === null ? 'all' : String(tail())} onChange={(e) => setTail(e.currentTarget.value === 'all' ? null : Number(e.currentTarget.value))}>
            <For each={TAILS}>{(n) => <option value={String(n)}>{t('pods.logs.lines', { n })}</option>}</For>
            <option value="all">{t('pods.logs.all')}</option>
          </select>
        </label>
        <label class="log-control">
          <span>{t('pods.logs.since')}</span>
          <select data-testid="log-since" value={since()} onChange={(e) => setSince(e.currentTarget.value as (typeof SINCES)[number]['id'])}>
            <For each={SINCES}>{(s) => <option value={s.id}>{t(`pods.logs.since.${s.id}`)}</option>}</For>
          </select>
        </label>
        <label class="log-control">
          <input type="checkbox" data-testid="log-timestamps" checked={timestamps()} onChange={(e) => setTimestamps(e.currentTarget.checked)} />
          <span>{t('pods.logs.timestamps')}</span>
        </label>
        <label class="log-control">
          <input type="checkbox" data-testid="log-previous" checked={previous()} onChange={(e) => setPrevious(e.currentTarget.checked)} />
          <span>{t('pods.logs.previous')}</span>
        </label>
        <div class="log-search">
          <input type="search" data-testid="log-search" placeholder={t('pods.logs.search')} value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
          <Show when={needle()}>
            <span class="log-matches" data-testid="log-matches">
              {t('pods.logs.matches', { n: matchCount() })}
            </span>
            <button type="button" class="btn btn-small" aria-label={t('pods.logs.prevMatch')} onClick={() => jump(-1)}>
              ↑
            </button>
            <button type="button" class="btn btn-small" aria-label={t('pods.logs.nextMatch')} onClick={() => jump(1)}>
              ↓
            </button>
          </Show>
        </div>
        <button type="button" class="btn btn-small" data-testid="log-download" onClick={download}>
          {t('pods.logs.download')}
        </button>
        <button type="button" class="btn btn-small" data-testid="log-reload" onClick={start}>
          {t('pods.logs.reload')}
        </button>
      </div>
      <Show when={error()}>
        <div class="load-error" role="alert" data-testid="log-error">
          {error()}
        </div>
      </Show>
      <div class="log-lines" ref={bindScroller} onScroll={onScroll} data-testid="log-lines">
        <div class="log-spacer" style={{ height: `${total() * ROW_HEIGHT}px` }}>
          <Index each={visible()}>
            {(row) => (
              <div class="log-line" style={{ transform: `translateY(${row().index * ROW_HEIGHT}px)` }} classList={{ 'log-current': matchLines[current()] === row().index }}>
                <span class="log-no">{row().index + 1}</span>
                <Highlighted text={row().text} needle={needle()} />
              </div>
            )}
          </Index>
        </div>
        <Show when={total() === 0 && state() !== 'error'}>
          <div class="log-empty muted">{state() === 'streaming' || state() === 'connecting' ? t('pods.logs.waiting') : t('pods.logs.empty')}</div>
        </Show>
      </div>
      <div class="log-status muted">
        <span data-testid="log-count" data-count={total()}>
          {t('pods.logs.count', { n: total() })}
        </span>
        <span data-testid="log-state" data-state={state()}>
          {t(`pods.logs.state.${state()}`)}
        </span>
        <Show when={!stick() && follow()}>
          <button
            type="button"
            class="link-btn"
            onClick={() => {
              setStick(true);
              if (scroller) scroller.scrollTop = scroller.scrollHeight;
            }}
          >
            {t('pods.logs.toBottom')}
          </button>
        </Show>
      </div>
    </div>
  );
}

function countIn(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** The line with every occurrence of `needle` (case-insensitive) marked. */
function Highlighted(props: { text: string; needle: string }) {
  const parts = createMemo(() => {
    const text = props.text;
    const needle = props.needle;
    if (!needle) return [{ text, hit: false }];
    const lower = text.toLowerCase();
    const out: { text: string; hit: boolean }[] = [];
    let at = 0;
    for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
      if (i > at) out.push({ text: text.slice(at, i), hit: false });
      out.push({ text: text.slice(i, i + needle.length), hit: true });
      at = i + needle.length;
    }
    if (at < text.length) out.push({ text: text.slice(at), hit: false });
    return out;
  });
  return (
    <span class="log-text">
      <For each={parts()}>{(p) => (p.hit ? <mark>{p.text}</mark> : p.text)}</For>
    </span>
  );
}
