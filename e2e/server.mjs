// Starts a Haven server for the browser tests, on this machine only.
//
// In order of preference:
//   1. HAVEN_URL: a server someone already started; it is used as is.
//   2. HAVEN_BIN: a built haven binary; run as `haven serve --addr ... --db ...`.
//   3. cmd/haven, built here with `go build` into a temporary folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
      const res = await fetch(url + '/');
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer at ${url} within 60 s:\n${log()}`);
}

/**
 * Starts (or finds) a server. Returns { url, stop }.
 */
export async function startServer() {
  if (process.env.HAVEN_URL) {
    return { url: process.env.HAVEN_URL.replace(/\/$/, ''), stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'haven-e2e-'));
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  let bin = process.env.HAVEN_BIN;
  if (!bin) {
    bin = join(dir, 'haven');
    const build = spawnSync('go', ['build', '-o', bin, './cmd/haven'], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) {
      throw new Error(`go build ./cmd/haven failed:\n${build.stderr}`);
    }
  }
  const args = ['serve', '--addr', addr, '--db', join(dir, 'haven.db')];
  let output = '';
  const child = spawn(bin, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://${addr}`;
  await waitUntilUp(url, child, () => output);
  return {
    url,
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
