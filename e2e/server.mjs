// Starts Haven servers for the browser tests, on this machine only.
//
// The binary is, in order of preference:
//   1. HAVEN_BIN: a built haven binary.
//   2. cmd/haven, built here with `go build` into a temporary folder (once
//      per test process, however many servers start).
// HAVEN_URL instead names a server someone already started: it is used as
// is for the default server, and tests that need the command line (keys,
// tips) skip.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitUntilUp(url, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited with ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(url + '/en/');
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer at ${url} within 60 s:\n${log()}`);
}

let builtBin;
let buildDir;

/** The haven binary: HAVEN_BIN, or cmd/haven built once per process. */
export function havenBinary() {
  if (process.env.HAVEN_BIN) return process.env.HAVEN_BIN;
  if (builtBin) return builtBin;
  buildDir = mkdtempSync(join(tmpdir(), 'haven-e2e-bin-'));
  const bin = join(buildDir, 'haven');
  const build = spawnSync('go', ['build', '-o', bin, './cmd/haven'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(`go build ./cmd/haven failed:\n${build.stderr}`);
  }
  process.on('exit', () => rmSync(buildDir, { recursive: true, force: true }));
  builtBin = bin;
  return bin;
}

/** Runs the haven command line; returns { status, stdout, stderr }. */
export function haven(args, opts = {}) {
  const r = spawnSync(havenBinary(), args, { cwd: repo, encoding: 'utf8', timeout: 60_000, ...opts });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

let commandList;

/**
 * Whether the haven command line has a command (and, with sub, a
 * subcommand): `haven help` lists commands, `haven NAME --help` their
 * subcommands. Tests of features still being built skip until they exist.
 */
export function hasCommand(name, sub) {
  if (process.env.HAVEN_URL && !process.env.HAVEN_BIN) return false;
  commandList ??= haven(['help']).stdout;
  if (!new RegExp(`^\\s+${name}\\s`, 'm').test(commandList)) return false;
  if (!sub) return true;
  const h = haven([name, '--help']);
  return new RegExp(`\\b${name} ${sub}\\b|^\\s+${sub}\\s`, 'm').test(h.stdout + h.stderr);
}

/**
 * Starts a server with a fresh database in a temporary folder. args are
 * added to `haven serve`. With recoveryKey, the organization's recovery key
 * is made first (`haven keys recovery`) when the command exists, so the
 * report form takes tips. Returns { url, dir, db, tipsOpen, stop, log }.
 */
export async function startServer({ args = [], recoveryKey = true } = {}) {
  if (process.env.HAVEN_URL && args.length === 0) {
    const url = process.env.HAVEN_URL.replace(/\/$/, '');
    const form = await (await fetch(url + '/en/report')).text();
    return { url, dir: null, db: null, tipsOpen: /name="what_happened"/.test(form), stop: async () => {}, log: () => '' };
  }
  const bin = havenBinary();
  const dir = mkdtempSync(join(tmpdir(), 'haven-e2e-'));
  const db = join(dir, 'haven.db');
  let tipsOpen = false;
  if (recoveryKey && hasCommand('keys')) {
    const r = haven(['keys', 'recovery', '--db', db]);
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`haven keys recovery failed (${r.status}):\n${r.stderr}`);
    }
    // The private key, for commands that read tips (never printed).
    writeFileSync(join(dir, 'recovery.key'), r.stdout, { mode: 0o600 });
  }
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const serveArgs = ['serve', '--addr', addr, '--db', db, '--tip-min-seconds', '0', ...args];
  let output = '';
  const child = spawn(bin, serveArgs, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://${addr}`;
  try {
    await waitUntilUp(url, child, () => output);
  } catch (err) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // The form is open when the server found a recovery key.
  tipsOpen = /name="what_happened"/.test(await (await fetch(url + '/en/report')).text());
  return {
    url,
    dir,
    db,
    tipsOpen,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
        await new Promise((r) => {
          const t = setTimeout(() => {
            try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
            r();
          }, 5000);
          child.on('exit', () => { clearTimeout(t); r(); });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
