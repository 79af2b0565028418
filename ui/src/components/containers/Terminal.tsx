/**
 * A web terminal in a container: xterm.js over Bosun's terminal WebSocket, which bridges to the
 * cluster's pods/exec. Keystrokes go out on channel 0, the terminal's size on channel 4 whenever
 * it changes (the fit addon sizes it to its box); output arrives on channels 1 and 2, the end
 * (exit code or reason) on channel 3. Opening and closing are audited by the server.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { Terminal as XTerm } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { t } from '../../i18n';
import { frame, TerminalChannel, terminalUrl, type PodRef } from '../../lib/containers';
import { Badge } from '../Badge';
import './containers.css';

type Phase = 'idle' | 'connecting' | 'open' | 'closed' | 'refused';

export function Terminal(props: PodRef & { containers: string[] }) {
  const [container, setContainer] = createSignal(props.containers[0] ?? '');
  const [phase, setPhase] = createSignal<Phase>('idle');
  const [endText, setEndText] = createSignal('');
  let box: HTMLDivElement | undefined;
  let term: XTerm | undefined;
  let fit: FitAddon | undefined;
  let socket: WebSocket | null = null;
  let observer: ResizeObserver | undefined;

  const send = (bytes: Uint8Array) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(bytes);
  };

  const disconnect = () => {
    socket?.close();
    socket = null;
  };

  const connect = () => {
    disconnect();
    if (!term || !fit) return;
    term.reset();
    fit.fit();
    setEndText('');
    setPhase('connecting');
    const ws = new WebSocket(terminalUrl(props, container(), { cols: term.cols, rows: term.rows }));
    ws.binaryType = 'arraybuffer';
    socket = ws;
    let ended = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      setPhase('open');
      term?.focus();
    };
    ws.onmessage = (event) => {
      if (socket !== ws || !(event.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(event.data);
      if (bytes.length === 0) return;
      if (bytes[0] === TerminalChannel.stdout || bytes[0] === TerminalChannel.stderr) term?.write(bytes.subarray(1));
      else if (bytes[0] === TerminalChannel.status) {
        ended = true;
        try {
          const end = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as { exitCode: number | null; reason: string };
          setEndText(end.exitCode !== null ? t('pods.terminal.exited', { code: end.exitCode }) : end.reason);
        } catch {
          setEndText(t('pods.terminal.closed'));
        }
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      // A refusal before the upgrade reaches the browser only as a failed connection (code 1006).
      if (!ended && phase() === 'connecting') {
        setPhase('refused');
        setEndText(t('pods.terminal.refused'));
      } else {
        setPhase('closed');
        if (!endText()) setEndText(event.reason || t('pods.terminal.closed'));
      }
      term?.write(`\r\n\x1b[2m[${endText()}]\x1b[0m\r\n`);
    };
  };

  onMount(() => {
    term = new XTerm({
      cursorBlink: true,
      convertEol: false,
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
      fontSize: 13,
      theme: { background: '#0f1522', foreground: '#d7dde8' },
      scrollback: 5000,
    });
    fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box!);
    fit.fit();
    term.onData((data) => send(frame(TerminalChannel.stdin, data)));
    term.onBinary((data) => send(frame(TerminalChannel.stdin, Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff))));
    term.onResize(({ cols, rows }) => send(frame(TerminalChannel.resize, JSON.stringify({ cols, rows }))));
    observer = new ResizeObserver(() => {
      try {
        fit?.fit();
      } catch {
        // not laid out yet
      }
    });
    observer.observe(box!);
    connect();
  });

  onCleanup(() => {
    disconnect();
    observer?.disconnect();
    term?.dispose();
  });

  const tone = () => (phase() === 'open' ? 'ok' : phase() === 'connecting' ? 'info' : phase() === 'refused' ? 'bad' : 'muted');

  return (
    <div class="terminal-panel" data-testid="terminal-panel">
      <div class="terminal-toolbar">
        <Show when={props.containers.length > 1}>
          <label class="log-control">
            <span>{t('pods.logs.container')}</span>
            <select
              data-testid="terminal-container"
              value={container()}
              onChange={(e) => {
                setContainer(e.currentTarget.value);
                connect();
              }}
            >
              <For each={props.containers}>{(c) => <option value={c}>{c}</option>}</For>
            </select>
          </label>
        </Show>
        <Badge tone={tone()} testid="terminal-state" pulse={phase() === 'connecting'}>
          {t(`pods.terminal.phase.${phase()}`)}
        </Badge>
        <Show when={endText()}>
          <span class="muted" data-testid="terminal-end">
            {endText()}
          </span>
        </Show>
        <Show when={phase() === 'open'} fallback={
          <button type="button" class="btn btn-small btn-primary" data-testid="terminal-connect" onClick={connect}>
            {t('pods.terminal.connect')}
          </button>
        }>
          <button
          type="button"
          class="btn btn-small"
          data-testid="terminal-disconnect"
          onClick={() => {
            // The socket is dropped before its close event arrives, so the phase is set here.
            disconnect();
            setPhase('closed');
            setEndText(t('pods.terminal.closed'));
          }}
        >
            {t('pods.terminal.disconnect')}
          </button>
        </Show>
      </div>
      <div class="terminal-box" ref={box} data-testid="terminal" />
      <p class="muted small">{t('pods.terminal.audited')}</p>
    </div>
  );
}
