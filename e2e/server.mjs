// Starts a Haven server for the browser tests, on this machine only.
//
// In order of preference:
//   1. HAVEN_URL: a server someone already started; it is used as is.
//   2. HAVEN_BIN: a built haven binary; run as `haven serve --addr ... --db ...`.
//   3. cmd/haven, built here with `go build` into a temporary folder.
//   4. The Go test helper in internal/web (TestServeForBrowserTests), for a
//      tree where cmd/haven does not build yet.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
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
  let cmd;
  let args;
  const env = { ...process.env };
  let bin = process.env.HAVEN_BIN;
  if (!bin && existsSync(join(repo, 'cmd', 'haven'))) {
    const out = join(dir, 'haven');
    const build = spawnSync('go', ['build', '-o', out, './cmd/haven'], { cwd: repo, encoding: 'utf8' });
    if (build.status === 0) {
      bin = out;
    } else {
      console.error(`cmd/haven does not build; using the internal/web test server.\n${build.stderr}`);
    }
  }
  if (bin) {
    cmd = bin;
    args = ['serve', '--addr', addr, '--db', join(dir, 'haven.db')];
  } else {
    cmd = 'go';
    args = ['test', './internal/web', '-run', '^TestServeForBrowserTests$', '-count=1', '-timeout', '0'];
    env.HAVEN_E2E_ADDR = addr;
    env.HAVEN_E2E_SECONDS = '1800';
  }
  let output = '';
  const child = spawn(cmd, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://${addr}`;
  await waitUntilUp(url, child, () => output);
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        // The whole process group: `go test` runs the test binary as a child.
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
