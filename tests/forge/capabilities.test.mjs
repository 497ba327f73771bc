// The Forge shell's capability switch (src/forge/capabilities.js) against the real @forge/api and
// @forge/kvs, with the platform's `__forge_fetch__` and the runtime's global `fetch` stood in for:
// set-if-absent reports a lost claim only for @forge/kvs's own 409 key-conflict error (anything
// else is a failure), and neither a fetch nor a Jira call follows a redirect.
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

const { perform, isKeyConflict } = await import('../../src/forge/capabilities.js');
const { kvs, ForgeKvsAPIError, ForgeKvsError } = await import('@forge/kvs');

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A ForgeKvsAPIError built the way @forge/kvs builds one from a failed KVS response. */
const kvsError = (status, forgeError) =>
  new ForgeKvsAPIError(
    {
      status,
      statusText: http.STATUS_CODES[status],
      traceId: 'trace-1',
      httpMethod: 'POST',
      httpPath: '/api/v1/set',
      responseBodyLength: JSON.stringify(forgeError).length,
    },
    forgeError,
  );

const setIfAbsent = (key = 'epm:claim:t:r:0') => perform({ tag: 'kv-set-if-absent', val: [key, '{"v":1}'] });
const CLAIMED = { tag: 'claimed', val: true };
const LOST = { tag: 'claimed', val: false };

describe('kv-set-if-absent: only a real KVS key conflict is a lost claim', () => {
  const realSet = kvs.set;
  after(() => {
    kvs.set = realSet;
  });

  test('errors constructed as @forge/kvs constructs them, thrown by kvs.set', async () => {
    const cases = [
      ['409 KEY_CONFLICT', kvsError(409, { code: 'KEY_CONFLICT', message: 'The key already exists' }), LOST],
      ['409 KEY_ALREADY_EXISTS', kvsError(409, { code: 'KEY_ALREADY_EXISTS', message: 'Key already exists' }), LOST],
      [
        '500',
        kvsError(500, { code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong' }),
        { tag: 'failed', val: 'INTERNAL_SERVER_ERROR: Something went wrong' },
      ],
      [
        'a conflict code with another status',
        kvsError(500, { code: 'KEY_CONFLICT', message: 'odd' }),
        { tag: 'failed', val: 'KEY_CONFLICT: odd' },
      ],
      [
        '409 with another code',
        kvsError(409, { code: 'TRANSACTION_CONFLICT', message: 'retry' }),
        { tag: 'failed', val: 'TRANSACTION_CONFLICT: retry' },
      ],
      [
        'a ForgeKvsError that is not an API error',
        Object.assign(new ForgeKvsError('no response'), { code: 'KEY_CONFLICT' }),
        { tag: 'failed', val: 'KEY_CONFLICT: no response' },
      ],
      ['a plain Error', new Error('socket hang up'), { tag: 'failed', val: 'socket hang up' }],
      [
        'a plain Error shaped like a conflict',
        Object.assign(new Error('looks like one'), { code: 'KEY_CONFLICT', responseDetails: { status: 409 } }),
        { tag: 'failed', val: 'KEY_CONFLICT: looks like one' },
      ],
    ];
    for (const [name, error, expected] of cases) {
      kvs.set = async () => {
        throw error;
      };
      assert.equal(isKeyConflict(error), expected === LOST, name);
      assert.deepEqual(await setIfAbsent(), expected, name);
    }
    kvs.set = async () => undefined;
    assert.deepEqual(await setIfAbsent(), CLAIMED, 'a write that succeeds claims');
  });

  test('errors @forge/kvs itself raises from the KVS service\'s answers', async () => {
    kvs.set = realSet;
    const cases = [
      ['204', () => new Response(null, { status: 204 }), CLAIMED],
      ['409 KEY_CONFLICT', () => json(409, { code: 'KEY_CONFLICT', message: 'The key already exists' }), LOST],
      ['409 KEY_ALREADY_EXISTS', () => json(409, { code: 'KEY_ALREADY_EXISTS', message: 'exists' }), LOST],
      [
        '500',
        () => json(500, { code: 'INTERNAL_SERVER_ERROR', message: 'boom' }),
        { tag: 'failed', val: 'INTERNAL_SERVER_ERROR: boom' },
      ],
      [
        '409 that is not JSON',
        () => new Response('conflict', { status: 409 }),
        { tag: 'failed', val: 'UNKNOWN_ERROR: Unexpected error in Forge KVS API' },
      ],
      [
        'the platform call throws',
        () => {
          throw new Error('network down');
        },
        { tag: 'failed', val: 'network down' },
      ],
    ];
    for (const [name, answer, expected] of cases) {
      platformCalls.length = 0;
      platformAnswer = answer;
      assert.deepEqual(await setIfAbsent(), expected, name);
      assert.equal(platformCalls.length, 1, name);
      assert.equal(platformCalls[0].target.type, 'kvs', name);
      assert.equal(platformCalls[0].path, '/api/v1/set', name);
      assert.equal(JSON.parse(platformCalls[0].init.body).options.keyPolicy, 'FAIL_IF_EXISTS', name);
    }
  });
});

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

describe('random: bytes from Node\'s CSPRNG for the app\'s generated secrets', () => {
  test('answers as many bytes as asked, hex, different each time', async () => {
    const one = await perform({ tag: 'random', val: 32 });
    const two = await perform({ tag: 'random', val: 32 });
    assert.equal(one.tag, 'value');
    assert.match(one.val, /^[0-9a-f]{64}$/);
    assert.notEqual(one.val, two.val);
  });

  test('more than 64 bytes is refused, not truncated', async () => {
    const answer = await perform({ tag: 'random', val: 65 });
    assert.equal(answer.tag, 'failed');
    assert.match(answer.val, /65 bytes/);
  });
});
