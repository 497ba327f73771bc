// Builds and starts the local Forge-style host (`pam-approvals-host serve --sandbox`) on an
// ephemeral port with a temp data dir, and stops it again (always, even when a test fails).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ROOT } from './paths.mjs';

let binary;

/** Builds the host with cargo (a no-op when up to date) and returns the executable's path. */
export function hostBinary() {
  if (binary) return binary;
  const out = execFileSync(
    'cargo',
    ['build', '--quiet', '--locked', '-p', 'pam-approvals-host', '--bin', 'pam-approvals-host', '--message-format=json'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason === 'compiler-artifact' && message.target?.name === 'pam-approvals-host' && message.executable) {
      binary = message.executable;
    }
  }
  if (!binary) throw new Error('cargo built no pam-approvals-host executable');
  return binary;
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a host; resolves to {base, webTrigger, bridge, jiraBase, jiraRest, epmBase, user,
 * password, dataDir, epmClientSecret(), stop()} once it prints "Ready.". `env` may set PAM_WEBHOOK_USER /
 * PAM_WEBHOOK_PASSWORD.
 */
export async function startHost({ env = {}, timeoutMs = 120_000 } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-host-'));
  const child = spawn(hostBinary(), ['serve', '--sandbox', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const stop = async () => {
    running.delete(child);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host did not get ready in ${timeoutMs} ms`)), timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the host exited (${code}) before it was ready:\n${stderr}`));
      });
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/^Ready\./m.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const field = (label) => stdout.match(new RegExp(`^\\s*${label}:\\s*(\\S+)`, 'm'))?.[1];
  const jiraRest = field('sandbox Jira REST');
  const webTrigger = field('web trigger \\(epm-webhook\\)');
  return {
    base: new URL(webTrigger).origin,
    webTrigger,
    bridge: field('UI bridge'),
    jiraRest,
    jiraBase: jiraRest.replace(/\/rest\/api\/3\/?$/, ''),
    epmBase: field('sandbox EPM')?.replace(/\/$/, ''),
    user: field('webhook user'),
    password: field('webhook password'),
    /** The sandbox EPM's client secret, generated per data dir (host/src/credentials.rs). */
    /** The host's data dir (its storage: `send-sample-keeper --data-dir` reads the alert token there). */
    dataDir,
    epmClientSecret: () => JSON.parse(readFileSync(path.join(dataDir, 'sandbox-credentials.json'), 'utf8')).epmClientSecret,
    stop,
    logs: () => stderr,
  };
}
