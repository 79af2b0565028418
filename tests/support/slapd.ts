import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';

export const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
/** Debian/Ubuntu package `slapd` (with `ldap-utils` for hand debugging). */
export const slapdAvailable = existsSync(SLAPD) && existsSync(SLAPADD);

export interface DirectoryUser {
  uid: string;
  cn: string;
  mail?: string;
  password: string;
}

export interface DirectoryGroup {
  cn: string;
  /** uids of members */
  members: string[];
}

export interface RunningSlapd {
  url: string;
  suffix: string;
  userBase: string;
  groupBase: string;
  serviceDn: string;
  servicePassword: string;
  dnOf(uid: string): string;
  stop(): Promise<void>;
}

const SUFFIX = 'dc=bosun,dc=test';

/**
 * A throwaway OpenLDAP server: its own slapd.conf and mdb database in a temp dir, loaded offline
 * with slapadd, serving ldap://127.0.0.1:<free port>. Anonymous users may only bind; authenticated
 * ones (the service account) may read everything but passwords.
 */
export async function startSlapd(options: { users: DirectoryUser[]; groups: DirectoryGroup[] }): Promise<RunningSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-slapd-'));
  const userBase = `ou=people,${SUFFIX}`;
  const groupBase = `ou=groups,${SUFFIX}`;
  const serviceDn = `cn=bosun-sync,ou=services,${SUFFIX}`;
  const servicePassword = `service-${randomBytes(12).toString('hex')}`;
  const dnOf = (uid: string) => `uid=${escapeDnValue(uid)},${userBase}`;

  try {
    mkdirSync(join(dir, 'data'));
    const config = join(dir, 'slapd.conf');
    writeFileSync(
      config,
      [
        'include /etc/ldap/schema/core.schema',
        'include /etc/ldap/schema/cosine.schema',
        'include /etc/ldap/schema/inetorgperson.schema',
        `pidfile ${join(dir, 'slapd.pid')}`,
        `argsfile ${join(dir, 'slapd.args')}`,
        'modulepath /usr/lib/ldap',
        'moduleload back_mdb',
        'database mdb',
        `suffix "${SUFFIX}"`,
        `directory ${join(dir, 'data')}`,
        'access to attrs=userPassword by anonymous auth by * none',
        'access to * by users read by * none',
        '',
      ].join('\n'),
    );

    const entries: Record<string, string | string[]>[] = [
      { dn: SUFFIX, objectClass: ['dcObject', 'organization'], dc: 'bosun', o: 'Bosun test' },
      ...['people', 'groups', 'services'].map((ou) => ({ dn: `ou=${ou},${SUFFIX}`, objectClass: 'organizationalUnit', ou })),
      { dn: serviceDn, objectClass: ['applicationProcess', 'simpleSecurityObject'], cn: 'bosun-sync', userPassword: ssha(servicePassword) },
      ...options.users.map((u) => ({
        dn: dnOf(u.uid),
        objectClass: 'inetOrgPerson',
        uid: u.uid,
        cn: u.cn,
        sn: u.cn.split(' ').at(-1) ?? u.cn,
        ...(u.mail ? { mail: u.mail } : {}),
        userPassword: ssha(u.password),
      })),
      ...options.groups.map((g) => ({ dn: `cn=${escapeDnValue(g.cn)},${groupBase}`, objectClass: 'groupOfNames', cn: g.cn, member: g.members.map(dnOf) })),
    ];
    const ldif = join(dir, 'data.ldif');
    writeFileSync(ldif, entries.map(toLdif).join('\n'));
    await promisify(execFile)(SLAPADD, ['-f', config, '-l', ldif]);

    const port = await freePort();
    const url = `ldap://127.0.0.1:${port}`;
    // `-d none` keeps slapd in the foreground and prints only its must-log messages (startup errors) to stderr.
    const child = spawn(SLAPD, ['-f', config, '-h', `${url}/`, '-d', 'none'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    };

    try {
      await waitUntilAnswering(url, serviceDn, servicePassword, () => child.exitCode !== null);
    } catch (error) {
      await stop();
      const hint = /Permission denied/.test(stderr)
        ? '\nslapd could not read its temp dir: on Ubuntu the AppArmor profile for /usr/sbin/slapd forbids it (CI: `sudo aa-complain /usr/sbin/slapd` or remove the profile).'
        : '';
      throw new Error(`slapd did not start on ${url}: ${(error as Error).message}\n${stderr.trim()}${hint}`);
    }
    return { url, suffix: SUFFIX, userBase, groupBase, serviceDn, servicePassword, dnOf, stop };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitUntilAnswering(url: string, dn: string, password: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Client({ url, connectTimeout: 1_000, timeout: 1_000 });
    try {
      await client.bind(dn, password);
      return;
    } catch (error) {
      if (exited()) throw new Error('slapd exited');
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Salted SHA-1, the scheme slapd verifies without extra modules. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** RFC 4514 escaping of an attribute value inside a DN. */
function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|[ ]$/g, (c) => `\\${c}`);
}

function toLdif(entry: Record<string, string | string[]>): string {
  const lines: string[] = [];
  for (const [name, values] of Object.entries(entry)) {
    for (const value of Array.isArray(values) ? values : [values]) {
      // RFC 2849: a SAFE-STRING may go as is; anything else travels base64 encoded.
      const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
      lines.push(safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value).toString('base64')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
