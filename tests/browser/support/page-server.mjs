// A tiny stand-in for the local host, for page tests: serves the built pages at /ui/<resource>/
// (static/<resource>/build, as the host does) with Forge's Custom UI CSP and answers
// POST /bridge/invoke from a handler the test sets, so a test chooses each resolver answer
// (fixtures made by the core) and its timing.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

import { FIXTURES, ROOT } from './paths.mjs';

/** What Forge applies to a Custom UI page that declares `permissions.content.scripts:
 * [unsafe-eval]` (WebAssembly needs it); the local host sends the same. */
export const FORGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
  "frame-ancestors 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A fixture answer (tests/browser/fixtures/<name>.json). */
export function fixture(name) {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

/**
 * Answers each invoke by resolver name from `answers` (name → a function of the call, which may
 * be async and returns a body, or `{status, body}`); an unlisted name gets 400. Clears the calls
 * kept so far and returns `answers`, which the test may change.
 */
export function answerByName(server, answers) {
  server.state.calls.length = 0;
  server.state.onInvoke = async (call) => {
    const answer = answers[call.functionKey];
    if (!answer) return { status: 400, body: { error: `no resolver ${call.functionKey}` } };
    const body = await answer(call);
    return body.status ? body : { body };
  };
  return answers;
}

/**
 * An `admin.*` answer by settings section: `epm` for a call without one (EPM's, as the page sends
 * it), `pra` for `{"section": "pra"}`, `keeper` for `{"section": "keeper"}` (by default Keeper's
 * stored defaults, for the tests of the other sections). Each is a function of the call, as
 * `answerByName` takes.
 */
export function bySection(epm, pra, keeper = () => fixture('admin-keeper-config')) {
  return (call) => {
    const section = call.payload?.section;
    if (section === 'pra') return pra(call);
    if (section === 'keeper') return keeper(call);
    return epm(call);
  };
}

/**
 * Starts the server on an ephemeral port. `server.onInvoke(call)` answers each invoke (`call` is
 * `{functionKey, payload, context}`) with `{status?, body}`; every call is kept in `server.calls`.
 */
export async function startPageServer({ csp = FORGE_CSP } = {}) {
  const state = {
    calls: [],
    onInvoke: async () => ({ status: 500, body: { error: 'the test set no answer' } }),
  };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/bridge/invoke') {
      let text = '';
      for await (const chunk of request) text += chunk;
      const call = JSON.parse(text);
      call.contentType = request.headers['content-type'];
      state.calls.push(call);
      const { status = 200, body } = await state.onInvoke(call);
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    const [, resource, rest] = url.pathname.match(/^\/ui\/([a-z]+)\/(.*)$/) ?? [];
    const name = rest === '' ? 'index.html' : rest;
    if (request.method !== 'GET' || !resource || name.includes('..')) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(path.join(ROOT, 'static', resource, 'build', name));
      response.writeHead(200, {
        'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream',
        'Content-Security-Policy': csp,
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    state,
    pageUrl: (issueKey = 'PMCJIT-1') => `${base}/ui/request/index.html?issueKey=${encodeURIComponent(issueKey)}`,
    adminUrl: () => `${base}/ui/admin/index.html`,
    keeperUrl: (issueKey = 'OPS-1') => `${base}/ui/keeper/index.html?issueKey=${encodeURIComponent(issueKey)}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
