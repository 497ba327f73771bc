// The Forge shell's capability switch (src/forge/capabilities.js) against the real @forge/api,
// with the platform's `__forge_fetch__` and the runtime's global `fetch` stood in for: neither a
// fetch nor a Jira call follows a redirect.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

// @forge/api takes the global fetch when it is loaded (the Forge runtime puts its egress fetch
// there first): record each fetch's init and pass it on to Node's own fetch.
const nodeFetch = globalThis.fetch;
const fetches = [];
globalThis.fetch = (url, init) => {
  fetches.push({ url: String(url), init });
  return nodeFetch(url, init);
};

// Every platform call (Jira, KVS) goes through `__forge_fetch__`; each test sets the answer.
const platformCalls = [];
let platformAnswer = () => {
  throw new Error('no platform answer set');
};
globalThis.__forge_fetch__ = async (target, path, init) => {
  platformCalls.push({ target, path, init });
  return platformAnswer(target, path, init);
};

const { perform } = await import('../../src/forge/capabilities.js');

describe('no redirect is followed', () => {
  // `/start` answers 302 (or 307 for `/start-307`) to `/target`, which counts its hits.
  let server;
  let base;
  let targetHits = 0;
  before(async () => {
    server = http.createServer((request, response) => {
      if (request.url.startsWith('/target')) {
        targetHits += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"followed": true}');
        return;
      }
      const status = request.url.startsWith('/start-307') ? 307 : 302;
      request.resume();
      request.on('end', () => response.writeHead(status, { location: '/target' }).end());
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => server.close());

  test('a fetch returns the 3xx as it came, and the target is never hit', async () => {
    for (const [path, status] of [
      ['/start', 302],
      ['/start-307', 307],
    ]) {
      fetches.length = 0;
      const reply = await perform({
        tag: 'fetch',
        val: {
          method: 'POST',
          url: `${base}${path}`,
          headers: [
            ['Authorization', 'Bearer secret-token'],
            ['Content-Type', 'application/x-www-form-urlencoded'],
          ],
          body: 'client_secret=do-not-replay',
        },
      });
      assert.equal(reply.tag, 'http', JSON.stringify(reply));
      assert.equal(reply.val.status, status);
      assert.deepEqual(
        reply.val.headers.filter(([name]) => name === 'location'),
        [['location', '/target']],
      );
      assert.equal(fetches.length, 1);
      assert.equal(fetches[0].init.redirect, 'manual', 'the shell asks fetch not to follow');
    }
    assert.equal(targetHits, 0, 'the redirect was followed');
  });

  test('a Jira call asks the platform not to follow, and gets the 3xx back', async () => {
    for (const actor of ['app', 'user']) {
      platformCalls.length = 0;
      platformAnswer = () => new Response(null, { status: 302, headers: { location: `${base}/target` } });
      const reply = await perform({
        tag: 'jira',
        val: { actor, method: 'POST', path: '/rest/api/3/issue', body: '{"fields":{}}' },
      });
      assert.equal(reply.tag, 'http', JSON.stringify(reply));
      assert.equal(reply.val.status, 302, actor);
      assert.equal(platformCalls.length, 1, actor);
      assert.equal(platformCalls[0].target.remote, 'jira', actor);
      assert.equal(platformCalls[0].init.redirect, 'manual', `${actor}: requestJira's init`);
    }
    assert.equal(targetHits, 0);
  });
});
