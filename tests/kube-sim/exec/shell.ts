/**
 * A small simulated busybox shell per container, behind pods/exec and pods/attach.
 *
 * Commands: echo, printf (%s %d \n), env, printenv, export, hostname, pwd, cd, ls, cat (files or stdin),
 * whoami, id, sleep, exit, sh/ash/bash (-c script, or interactive on stdin), true, false, stty (size),
 * uname, date, tty, which, test/[ (-f -d -e -z -n = !=), grep, head, tail, wc, sort, plus `;`, `&&`, `||`,
 * `|` (buffered), quotes, $VAR/${VAR}/$?
 * and the redirections `>&2`, `2>&1`, `> file`, `>> file`, `2>/dev/null`. Unknown commands in a script
 * print `sh: <cmd>: not found` and exit 127. Files written with `>` persist per container.
 */

export interface TermSize {
  width: number;
  height: number;
}

/** What the shell knows about its container. */
export interface ContainerEnv {
  /** ordered environment (container env + kubelet-provided variables) */
  env: Array<[string, string]>;
  hostname: string;
  /** absolute path → content (read-only image and volume files) */
  files: Map<string, string>;
  /** writable files, shared by every session of the container */
  written: Map<string, string>;
  uid: number;
  /** clock-aware sleep; rejects/aborts through the signal */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): Date;
}

export interface ShellIO {
  out(s: string): void;
  err(s: string): void;
}

const ROOT_DIRS = ['bin', 'dev', 'etc', 'home', 'lib', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'];
const BUILTINS = [
  'echo', 'printf', 'env', 'printenv', 'export', 'hostname', 'pwd', 'cd', 'ls', 'cat', 'whoami', 'id', 'sleep', 'exit', 'sh', 'ash', 'bash',
  'true', 'false', 'stty', 'uname', 'date', 'tty', 'which', 'test', '[', 'grep', 'head', 'tail', 'wc', 'sort',
];

/** Thrown by `exit` to unwind the script. */
class ExitSignal {
  constructor(readonly code: number) {}
}

/** A byte queue of stdin with EOF, read line by line or whole. */
export class StdinQueue {
  private buf = '';
  private eof = false;
  private waiters: Array<() => void> = [];

  push(s: string) {
    this.buf += s;
    this.wake();
  }

  end() {
    this.eof = true;
    this.wake();
  }

  get ended() {
    return this.eof;
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** Next chunk, or null at EOF. */
  async read(): Promise<string | null> {
    while (!this.buf && !this.eof) await this.wait();
    if (!this.buf) return null;
    const s = this.buf;
    this.buf = '';
    return s;
  }

  /** Next line without its newline, or null at EOF (a last unterminated line is returned). */
  async readLine(): Promise<string | null> {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        return line.replace(/\r$/, '');
      }
      if (this.eof) {
        if (!this.buf) return null;
        const line = this.buf;
        this.buf = '';
        return line;
      }
      await this.wait();
    }
  }
}

function normPath(cwd: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${cwd}/${p}`;
  const parts: string[] = [];
  for (const seg of abs.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

interface Segment {
  text: string;
  /** operator before this segment: ';' (also newline), '&&', '||' */
  op: ';' | '&&' | '||';
}

/** Splits a script at unquoted ; && || and newlines (pipes stay in the segment: see splitPipeline). */
function splitScript(script: string): Segment[] | { error: string } {
  const out: Segment[] = [];
  let cur = '';
  let op: Segment['op'] = ';';
  let q: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (q) {
      cur += c;
      if (c === '\\' && q === '"' && i + 1 < script.length) cur += script[++i];
      else if (c === q) q = undefined;
      continue;
    }
    if (c === '\\' && i + 1 < script.length) {
      cur += c + script[++i];
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      cur += c;
      continue;
    }
    if (c === '#' && (cur === '' || /\s$/.test(cur))) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
      continue;
    }
    const two = script.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      out.push({ text: cur, op });
      op = two;
      cur = '';
      i++;
      continue;
    }
    if (c === ';' || c === '\n') {
      out.push({ text: cur, op });
      op = ';';
      cur = '';
      continue;
    }
    cur += c;
  }
  if (q) return { error: `sh: syntax error: unterminated quoted string` };
  out.push({ text: cur, op });
  return out.filter((s) => s.text.trim() !== '');
}

/** Splits a segment at unquoted single `|`. */
function splitPipeline(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '\\' && q === '"' && i + 1 < text.length) cur += c + text[++i];
      else {
        if (c === q) q = undefined;
        cur += c;
      }
      continue;
    }
    if (c === '\\' && i + 1 < text.length) cur += c + text[++i];
    else if (c === "'" || c === '"') {
      q = c;
      cur += c;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

interface Word {
  value: string;
  /** unquoted operator-like word (redirections) */
  raw: string;
}

/** Tokenizes one simple command with quotes and $ expansion. */
function words(text: string, lookup: (name: string) => string): Word[] {
  const out: Word[] = [];
  let cur = '';
  let raw = '';
  let has = false;
  const expand = (i: number): [string, number] => {
    // text[i] === '$'
    const rest = text.slice(i + 1);
    let m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    if (m) return [lookup(m[1]), i + m[0].length];
    m = /^([A-Za-z_][A-Za-z0-9_]*|\?|\$|#|[0-9])/.exec(rest);
    if (m) return [lookup(m[1]), i + m[0].length];
    return ['$', i];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (has) out.push({ value: cur, raw });
      cur = '';
      raw = '';
      has = false;
      continue;
    }
    has = true;
    if (c === "'") {
      const j = text.indexOf("'", i + 1);
      cur += text.slice(i + 1, j);
      raw += '\u0000';
      i = j;
    } else if (c === '"') {
      raw += '\u0000';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && /["\\$`]/.test(text[j + 1] ?? '')) cur += text[++j];
        else if (text[j] === '$') {
          const [v, k] = expand(j);
          cur += v;
          j = k;
        } else cur += text[j];
      }
      i = j;
    } else if (c === '\\') {
      cur += text[++i] ?? '';
      raw += '\u0000';
    } else if (c === '$') {
      const [v, k] = expand(i);
      cur += v;
      raw += '\u0000';
      i = k;
    } else {
      cur += c;
      raw += c;
    }
  }
  if (has) out.push({ value: cur, raw });
  return out;
}

export class Shell {
  cwd = '/';
  status = 0;
  vars = new Map<string, string>();
  /** the command in the foreground can be interrupted (Ctrl-C, connection closed) */
  private abort = new AbortController();

  constructor(
    readonly c: ContainerEnv,
    public io: ShellIO,
    readonly opts: { tty: boolean; stdin: StdinQueue; size: () => TermSize | undefined },
  ) {
    for (const [k, v] of c.env) this.vars.set(k, v);
  }

  interrupt() {
    this.abort.abort();
    this.abort = new AbortController();
  }

  private lookup = (name: string): string => {
    if (name === '?') return String(this.status);
    if (name === '$') return '1';
    if (name === '#' || /^[0-9]$/.test(name)) return name === '0' ? 'sh' : '';
    return this.vars.get(name) ?? '';
  };

  private exists(p: string): 'file' | 'dir' | undefined {
    if (this.c.written.has(p) || this.c.files.has(p)) return 'file';
    if (p === '/') return 'dir';
    if (ROOT_DIRS.includes(p.slice(1))) return 'dir';
    const prefix = p + '/';
    for (const k of this.c.files.keys()) if (k.startsWith(prefix)) return 'dir';
    for (const k of this.c.written.keys()) if (k.startsWith(prefix)) return 'dir';
    return undefined;
  }

  private readFile(p: string): string | undefined {
    return this.c.written.get(p) ?? this.c.files.get(p);
  }

  private children(dir: string): string[] {
    const set = new Set<string>();
    if (dir === '/') for (const d of ROOT_DIRS) set.add(d);
    const prefix = dir === '/' ? '/' : dir + '/';
    for (const k of [...this.c.files.keys(), ...this.c.written.keys()]) if (k.startsWith(prefix)) set.add(k.slice(prefix.length).split('/')[0]);
    return [...set].sort();
  }

  /** Runs the exec's argv (no shell parsing, like the runtime): returns the exit code, or throws 'not-found'. */
  async execArgv(argv: string[]): Promise<number> {
    const name = argv[0].split('/').pop()!;
    if (!BUILTINS.includes(name)) throw new CommandNotFound(argv[0]);
    return this.runCommand([name, ...argv.slice(1)], this.io);
  }

  /** Runs a script (`sh -c`), returns its exit status. */
  async runScript(script: string): Promise<number> {
    try {
      return await this.script(script);
    } catch (e) {
      if (e instanceof ExitSignal) return (this.status = e.code);
      throw e;
    }
  }

  private async script(script: string): Promise<number> {
    const segs = splitScript(script);
    if ('error' in segs) {
      this.io.err(segs.error + '\n');
      return (this.status = 2);
    }
    for (const s of segs) {
      if (s.op === '&&' && this.status !== 0) continue;
      if (s.op === '||' && this.status === 0) continue;
      this.status = await this.pipeline(s.text);
    }
    return this.status;
  }

  /** `a | b | c`: each stage's output is the next one's stdin (buffered: stages run one after the other). */
  private async pipeline(text: string): Promise<number> {
    const stages = splitPipeline(text);
    if (stages.length === 1) return this.simple(text);
    if (stages.some((st) => !st.trim())) {
      this.io.err('sh: syntax error: unexpected "|"\n');
      return 2;
    }
    const io = this.io;
    let input: string | undefined;
    let code = 0;
    try {
      for (let i = 0; i < stages.length; i++) {
        const last = i === stages.length - 1;
        let captured = '';
        this.pipeIn = input;
        this.io = last ? io : { out: (s) => (captured += s), err: io.err };
        code = await this.simple(stages[i]);
        input = captured;
      }
    } finally {
      this.io = io;
      this.pipeIn = undefined;
    }
    return code;
  }

  /** stdin of the current pipeline stage (undefined: the session's stdin) */
  private pipeIn: string | undefined;

  private async readAllStdin(): Promise<string> {
    if (this.pipeIn !== undefined) {
      const s = this.pipeIn;
      this.pipeIn = '';
      return s;
    }
    let all = '';
    for (;;) {
      const c = await this.opts.stdin.read();
      if (c === null) return all;
      all += c;
    }
  }

  /** Lines of the files named, or of stdin when none. */
  private async inputLines(files: string[], io: ShellIO, cmd: string): Promise<{ lines: string[]; code: number }> {
    let text = '';
    let code = 0;
    if (!files.length) text = await this.readAllStdin();
    for (const f of files) {
      const c = this.readFile(normPath(this.cwd, f));
      if (c === undefined) {
        io.err(`${cmd}: ${f}: No such file or directory\n`);
        code = 2;
      } else text += c;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { lines, code };
  }

  /** One simple command with assignments and redirections. */
  private async simple(text: string): Promise<number> {
    const ws = words(text, this.lookup);
    const assigns: Array<[string, string]> = [];
    while (ws.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[0].raw)) {
      const w = ws.shift()!;
      const i = w.value.indexOf('=');
      assigns.push([w.value.slice(0, i), w.value.slice(i + 1)]);
    }
    // redirections
    let out = this.io.out;
    let err = this.io.err;
    let fileTarget: { path: string; append: boolean } | undefined;
    const argv: string[] = [];
    for (let i = 0; i < ws.length; i++) {
      const r = ws[i].raw;
      const m = /^(\d?)(>>|>)(&\d)?(.*)$/.exec(r);
      if (!m) {
        argv.push(ws[i].value);
        continue;
      }
      const fd = m[1] || '1';
      const target = m[3] ?? (m[4] ? ws[i].value.slice(m[1].length + m[2].length) : ws[++i]?.value ?? '');
      if (target === '&2' || target === '&1') {
        const to = target === '&2' ? this.io.err : this.io.out;
        if (fd === '1') out = to;
        else err = to;
      } else if (target === '/dev/null') {
        if (fd === '1') out = () => {};
        else err = () => {};
      } else if (target === '/dev/stderr') {
        if (fd === '1') out = this.io.err;
      } else if (target === '/dev/stdout') {
        if (fd === '2') err = this.io.out;
      } else {
        const path = normPath(this.cwd, target);
        if (this.exists(path) === 'dir') {
          this.io.err(`sh: can't create ${target}: Is a directory\n`);
          return 1;
        }
        fileTarget = { path, append: m[2] === '>>' };
        if (!fileTarget.append || !this.c.written.has(path)) this.c.written.set(path, fileTarget.append ? (this.c.files.get(path) ?? '') : '');
        const p = path;
        const sink = (s: string) => this.c.written.set(p, (this.c.written.get(p) ?? '') + s);
        if (fd === '1') out = sink;
        else err = sink;
      }
    }
    if (!argv.length) {
      for (const [k, v] of assigns) this.vars.set(k, v);
      return 0;
    }
    const saved = assigns.map(([k]) => [k, this.vars.get(k)] as const);
    for (const [k, v] of assigns) this.vars.set(k, v);
    try {
      const name = argv[0].includes('/') ? argv[0].split('/').pop()! : argv[0];
      if (!BUILTINS.includes(name)) {
        this.io.err(`sh: ${argv[0]}: not found\n`);
        return 127;
      }
      return await this.runCommand([name, ...argv.slice(1)], { out, err });
    } finally {
      if (assigns.length) for (const [k, v] of saved) (v === undefined ? this.vars.delete(k) : this.vars.set(k, v));
    }
  }

  private envList(): string {
    return [...this.vars].map(([k, v]) => `${k}=${v}\n`).join('');
  }

  private async runCommand(argv: string[], io: ShellIO): Promise<number> {
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'echo': {
        let nl = true;
        let esc = false;
        while (args.length && /^-[ne]+$/.test(args[0])) {
          const f = args.shift()!;
          if (f.includes('n')) nl = false;
          if (f.includes('e')) esc = true;
        }
        let s = args.join(' ');
        if (esc) s = s.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
        io.out(s + (nl ? '\n' : ''));
        return 0;
      }
      case 'printf': {
        if (!args.length) {
          io.err('printf: usage: printf FORMAT [ARGUMENT...]\n');
          return 1;
        }
        const fmt = args.shift()!;
        let s = '';
        do {
          s += fmt.replace(/%([sd%])|\\(n|t|\\)/g, (_m, f, e) => {
            if (e) return e === 'n' ? '\n' : e === 't' ? '\t' : '\\';
            if (f === '%') return '%';
            const a = args.shift() ?? '';
            return f === 'd' ? String(parseInt(a || '0', 10) || 0) : a;
          });
        } while (args.length && /%[sd]/.test(fmt));
        io.out(s);
        return 0;
      }
      case 'env':
        if (args.length) {
          io.err('env: running commands is not supported by kube-sim\n');
          return 125;
        }
        io.out(this.envList());
        return 0;
      case 'printenv': {
        if (!args.length) {
          io.out(this.envList());
          return 0;
        }
        let code = 0;
        for (const a of args) {
          const v = this.vars.get(a);
          if (v === undefined) code = 1;
          else io.out(v + '\n');
        }
        return code;
      }
      case 'export':
        for (const a of args) {
          const i = a.indexOf('=');
          if (i > 0) this.vars.set(a.slice(0, i), a.slice(i + 1));
        }
        return 0;
      case 'hostname':
        io.out(this.c.hostname + '\n');
        return 0;
      case 'pwd':
        io.out(this.cwd + '\n');
        return 0;
      case 'cd': {
        const target = normPath(this.cwd, args[0] ?? this.vars.get('HOME') ?? '/');
        const k = this.exists(target);
        if (k !== 'dir') {
          io.err(`sh: cd: can't cd to ${args[0]}: ${k ? 'Not a directory' : 'No such file or directory'}\n`);
          return 2;
        }
        this.cwd = target;
        return 0;
      }
      case 'ls': {
        const flags = args.filter((a) => a.startsWith('-')).join('');
        const all = flags.includes('a');
        const long = flags.includes('l');
        const paths = args.filter((a) => !a.startsWith('-'));
        let code = 0;
        const targets = paths.length ? paths : ['.'];
        for (const [i, p] of targets.entries()) {
          const abs = normPath(this.cwd, p);
          const kind = this.exists(abs);
          if (!kind) {
            io.err(`ls: ${p}: No such file or directory\n`);
            code = 1;
            continue;
          }
          if (kind === 'file') {
            io.out(long ? `-rw-r--r--    1 root     root     ${String((this.readFile(abs) ?? '').length).padStart(8)} ${p}\n` : p + '\n');
            continue;
          }
          if (targets.length > 1) io.out(`${i ? '\n' : ''}${p}:\n`);
          const names = [...(all ? ['.', '..'] : []), ...this.children(abs)];
          for (const n of names) {
            if (!long) io.out(n + '\n');
            else {
              const child = normPath(abs, n);
              const isDir = n === '.' || n === '..' || this.exists(child) === 'dir';
              const size = isDir ? 4096 : (this.readFile(child) ?? '').length;
              io.out(`${isDir ? 'drwxr-xr-x' : '-rw-r--r--'}    ${isDir ? 2 : 1} root     root     ${String(size).padStart(8)} ${n}\n`);
            }
          }
        }
        return code;
      }
      case 'cat': {
        if (!args.length || (args.length === 1 && args[0] === '-')) {
          if (this.pipeIn !== undefined) {
            io.out(await this.readAllStdin());
            return 0;
          }
          for (;;) {
            const chunk = await this.stdinChunk();
            if (chunk === null) return 0;
            io.out(chunk);
          }
        }
        let code = 0;
        for (const p of args) {
          const abs = normPath(this.cwd, p);
          const content = this.readFile(abs);
          if (content === undefined) {
            io.err(`cat: can't open '${p}': ${this.exists(abs) === 'dir' ? 'Is a directory' : 'No such file or directory'}\n`);
            code = 1;
          } else io.out(content);
        }
        return code;
      }
      case 'whoami':
        if (this.c.uid !== 0) {
          io.err(`whoami: unknown uid ${this.c.uid}\n`);
          return 1;
        }
        io.out('root\n');
        return 0;
      case 'id':
        io.out(this.c.uid === 0 ? 'uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)\n' : `uid=${this.c.uid} gid=${this.c.uid} groups=${this.c.uid}\n`);
        return 0;
      case 'sleep': {
        const n = Number(args[0]);
        if (!args.length || !Number.isFinite(n) || n < 0) {
          io.err(args.length ? `sleep: invalid number '${args[0]}'\n` : 'BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n\nUsage: sleep [N]...\n');
          return 1;
        }
        try {
          await this.c.sleep(n * 1000, this.abort.signal);
          return 0;
        } catch {
          return 130;
        }
      }
      case 'exit': {
        const code = args.length ? Number(args[0]) : this.status;
        throw new ExitSignal(Number.isFinite(code) ? ((code % 256) + 256) % 256 : 2);
      }
      case 'sh':
      case 'ash':
      case 'bash': {
        const ci = args.indexOf('-c');
        if (ci >= 0) {
          const sub = new Shell(this.c, io, this.opts);
          sub.cwd = this.cwd;
          sub.vars = new Map(this.vars);
          return sub.runScript(args[ci + 1] ?? '');
        }
        if (args.length && !args[0].startsWith('-')) {
          const content = this.readFile(normPath(this.cwd, args[0]));
          if (content === undefined) {
            io.err(`${cmd}: can't open '${args[0]}': No such file or directory\n`);
            return 2;
          }
          const sub = new Shell(this.c, io, this.opts);
          sub.cwd = this.cwd;
          sub.vars = new Map(this.vars);
          return sub.runScript(content);
        }
        const sub = new Shell(this.c, io, this.opts);
        sub.cwd = this.cwd;
        sub.vars = new Map(this.vars);
        return sub.interactive();
      }
      case 'grep': {
        const flags = new Set<string>();
        const rest: string[] = [];
        for (const a of args) {
          if (/^-[a-zA-Z]+$/.test(a) && !rest.length) for (const f of a.slice(1)) flags.add(f);
          else rest.push(a);
        }
        const [pattern, ...files] = rest;
        if (pattern === undefined) {
          io.err('BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n');
          return 2;
        }
        let re: RegExp;
        try {
          re = flags.has('F') ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags.has('i') ? 'i' : '') : new RegExp(flags.has('E') ? pattern : pattern.replace(/\\([|+?(){}])/g, '$1'), flags.has('i') ? 'i' : '');
        } catch {
          io.err(`grep: bad regex '${pattern}'\n`);
          return 2;
        }
        const { lines, code } = await this.inputLines(files, io, 'grep');
        const hits = lines.filter((l) => re.test(l) !== flags.has('v'));
        if (flags.has('c')) io.out(`${hits.length}\n`);
        else if (!flags.has('q')) for (const h of hits) io.out(h + '\n');
        return code || (hits.length ? 0 : 1);
      }
      case 'head':
      case 'tail': {
        let n = 10;
        const files: string[] = [];
        for (let i = 0; i < args.length; i++) {
          if (args[i] === '-n') n = Number(args[++i]);
          else if (/^-\d+$/.test(args[i])) n = Number(args[i].slice(1));
          else if (/^-n\d+$/.test(args[i])) n = Number(args[i].slice(2));
          else files.push(args[i]);
        }
        const { lines, code } = await this.inputLines(files, io, cmd);
        for (const l of cmd === 'head' ? lines.slice(0, n) : lines.slice(Math.max(0, lines.length - n))) io.out(l + '\n');
        return code;
      }
      case 'wc': {
        const flags = args.filter((a) => a.startsWith('-')).join('');
        const files = args.filter((a) => !a.startsWith('-'));
        let text = '';
        if (!files.length) text = await this.readAllStdin();
        for (const f of files) text += this.readFile(normPath(this.cwd, f)) ?? '';
        const l = (text.match(/\n/g) ?? []).length;
        const w = text.split(/\s+/).filter(Boolean).length;
        const c = Buffer.byteLength(text);
        const parts = flags ? [flags.includes('l') ? l : undefined, flags.includes('w') ? w : undefined, flags.includes('c') ? c : undefined].filter((x) => x !== undefined) : [l, w, c];
        io.out(parts.map((x) => String(x).padStart(flags ? 0 : 7)).join(' ') + (files.length === 1 ? ` ${files[0]}` : '') + '\n');
        return 0;
      }
      case 'sort': {
        const files = args.filter((a) => !a.startsWith('-'));
        const { lines, code } = await this.inputLines(files, io, 'sort');
        const sorted = args.includes('-n') ? [...lines].sort((a, b) => parseFloat(a) - parseFloat(b)) : [...lines].sort();
        if (args.includes('-r')) sorted.reverse();
        for (const l of args.includes('-u') ? [...new Set(sorted)] : sorted) io.out(l + '\n');
        return code;
      }
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'stty': {
        const size = this.opts.size();
        if (!this.opts.tty) {
          io.err("stty: standard input: Not a tty\n");
          return 1;
        }
        if (!args.length || args[0] === 'size') {
          const s = size ?? { width: 80, height: 24 };
          io.out(args.length ? `${s.height} ${s.width}\n` : `speed 38400 baud; rows ${s.height}; columns ${s.width}; line = 0;\n`);
        }
        return 0;
      }
      case 'uname': {
        const f = args.join('');
        const parts = { s: 'Linux', n: this.c.hostname, r: '6.1.0-kube-sim', v: '#1 SMP PREEMPT_DYNAMIC', m: 'x86_64', o: 'GNU/Linux' };
        if (!f) io.out('Linux\n');
        else if (f.includes('a')) io.out(`${parts.s} ${parts.n} ${parts.r} ${parts.v} ${parts.m} ${parts.o}\n`);
        else io.out((['s', 'n', 'r', 'v', 'm', 'o'] as const).filter((k) => f.includes(k)).map((k) => parts[k]).join(' ') + '\n');
        return 0;
      }
      case 'date': {
        const d = this.c.now();
        const day = d.toUTCString().slice(0, 3);
        const mon = d.toUTCString().slice(8, 11);
        io.out(`${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}\n`);
        return 0;
      }
      case 'tty':
        if (this.opts.tty) {
          io.out('/dev/pts/0\n');
          return 0;
        }
        io.out('not a tty\n');
        return 1;
      case 'which': {
        let code = 0;
        for (const a of args) {
          if (BUILTINS.includes(a)) io.out(`/bin/${a}\n`);
          else code = 1;
        }
        return code;
      }
      case 'test':
      case '[': {
        const a = cmd === '[' ? args.slice(0, args[args.length - 1] === ']' ? -1 : undefined) : args;
        const neg = a[0] === '!';
        const t = neg ? a.slice(1) : a;
        let r = false;
        if (t.length === 1) r = t[0] !== '';
        else if (t.length === 2) {
          const p = normPath(this.cwd, t[1]);
          if (t[0] === '-f') r = this.exists(p) === 'file';
          else if (t[0] === '-d') r = this.exists(p) === 'dir';
          else if (t[0] === '-e') r = !!this.exists(p);
          else if (t[0] === '-z') r = t[1] === '';
          else if (t[0] === '-n') r = t[1] !== '';
        } else if (t.length === 3) {
          if (t[1] === '=' || t[1] === '==') r = t[0] === t[2];
          else if (t[1] === '!=') r = t[0] !== t[2];
          else if (t[1] === '-eq') r = Number(t[0]) === Number(t[2]);
          else if (t[1] === '-ne') r = Number(t[0]) !== Number(t[2]);
          else if (t[1] === '-lt') r = Number(t[0]) < Number(t[2]);
          else if (t[1] === '-gt') r = Number(t[0]) > Number(t[2]);
        }
        return r !== neg ? 0 : 1;
      }
    }
    io.err(`sh: ${cmd}: not found\n`);
    return 127;
  }

  private async stdinChunk(): Promise<string | null> {
    return this.opts.stdin.read();
  }

  /**
   * Interactive/stdin mode: reads commands from stdin. With a tty: prompt `/ # `, echo, backspace,
   * Ctrl-C, Ctrl-U, Ctrl-D on an empty line; `exit` ends with its status. Without: line by line until EOF.
   */
  async interactive(): Promise<number> {
    const { tty, stdin } = this.opts;
    const prompt = () => `${this.cwd} ${this.c.uid === 0 ? '#' : '$'} `;
    try {
      if (!tty) {
        for (;;) {
          const line = await stdin.readLine();
          if (line === null) return this.status;
          await this.script(line);
        }
      }
      this.io.out(prompt());
      let line = '';
      for (;;) {
        const chunk = await stdin.read();
        if (chunk === null) return this.status;
        for (let i = 0; i < chunk.length; i++) {
          const ch = chunk[i];
          if (ch === '\r' || ch === '\n') {
            if (ch === '\n' && chunk[i - 1] === '\r') continue;
            this.io.out('\n');
            const cmd = line;
            line = '';
            if (cmd.trim()) await this.script(cmd);
            this.io.out(prompt());
          } else if (ch === '\x7f' || ch === '\b') {
            if (line) {
              line = line.slice(0, -1);
              this.io.out('\b \b');
            }
          } else if (ch === '\x03') {
            line = '';
            this.io.out('^C\n' + prompt());
          } else if (ch === '\x15') {
            this.io.out('\b \b'.repeat(line.length));
            line = '';
          } else if (ch === '\x04') {
            if (!line) {
              this.io.out('\n');
              return this.status;
            }
          } else if (ch === '\x1b') {
            // skip an escape sequence (arrows...)
            if (chunk[i + 1] === '[') {
              i += 2;
              while (i < chunk.length && !/[A-Za-z~]/.test(chunk[i])) i++;
            }
          } else if (ch >= ' ' || ch === '\t') {
            line += ch;
            this.io.out(ch);
          }
        }
      }
    } catch (e) {
      if (e instanceof ExitSignal) {
        if (tty) this.io.out('');
        return (this.status = e.code);
      }
      throw e;
    }
  }
}

export class CommandNotFound extends Error {
  constructor(readonly command: string) {
    super(`exec: "${command}": executable file not found in $PATH`);
  }
}
