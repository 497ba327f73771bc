// The real @forge/bundler builds the function bundle; the bundle, `require`d with a stand-in
// Forge platform, answers EPM webhooks exactly like the local host: same status codes, same
// bodies, same Jira state (each host has its own sandbox Jira, compared at the end).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildComponent, bundleApp } from './support/app-build.mjs';
import { installForgeRuntime } from './support/forge-runtime.mjs';
import { startHost } from './support/local-host.mjs';
import { SAMPLE } from './support/paths.mjs';
import { SANDBOX_CONFIG, sandboxIssues } from './support/sandbox.mjs';

const USER = 'pam-webhook';
const PASSWORD = 'forge-parity-password-1';

const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-bundle-'));
let bundlePath;

before(() => {
  buildComponent();
  bundlePath = bundleApp(outDir);
});
after(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs `body` (ESM) in a fresh Node process with the bundle path as `bundlePath`, the stand-in
 * platform's module as `forge` and `env`; returns what it prints as JSON. */
function inFreshProcess(body, env = {}) {
  const script = `
    import { createRequire } from 'node:module';
    const forge = await import(${JSON.stringify(new URL('./support/forge-runtime.mjs', import.meta.url).href)});
    const bundlePath = ${JSON.stringify(bundlePath)};
    const require = createRequire(bundlePath);
    ${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(result.status, 0, result.stderr);
  return { ...JSON.parse(result.stdout.trim().split('\n').pop()), stderr: result.stderr };
}

test('@forge/bundler builds one CommonJS bundle that exports the manifest handlers', (t) => {
  const size = statSync(bundlePath).size;
  t.diagnostic(`bundle index.cjs: ${size} bytes`);
  assert.ok(size > 300_000, 'the component is inlined in the bundle');
  const source = readFileSync(bundlePath, 'utf8');
  assert.doesNotMatch(source, /preview2-shim|wasi:/, 'no WASI shims in the bundle');
  for (const file of ['__forge__.cjs', '__forge_wrapper__.cjs', 'runtime.json']) {
    assert.ok(statSync(path.join(outDir, file)).isFile(), `${file} is written beside the bundle`);
  }
  const exported = inFreshProcess(`
    forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    const app = require(bundlePath);
    console.log(JSON.stringify(Object.fromEntries(Object.entries(app).map(([k, v]) => [k, typeof v]))));`);
  delete exported.stderr;
  // index.epmWebhook, index.praTicket, index.keeperAlert, index.resolver, index.expiryTick,
  // index.keeperExpiryTick, index.issueUpdated and index.jobs are the manifest's handlers; runInvocation serves tests
  // and provisioning.
  assert.deepEqual(exported, {
    epmWebhook: 'function',
    expiryTick: 'function',
    issueUpdated: 'function',
    jobs: 'function',
    keeperAlert: 'function',
    keeperExpiryTick: 'function',
    praTicket: 'function',
    resolver: 'function',
    runInvocation: 'function',
  });
});

test('cold start: a fresh process requires the bundle and answers its first web trigger', (t) => {
  // A wrong-method request touches no platform API: this is the shell's and component's own cost.
  const measured = inFreshProcess(`
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    const started = process.hrtime.bigint();
    const app = require(bundlePath);
    const required = process.hrtime.bigint();
    const response = await app.epmWebhook({ method: 'GET', path: '/', body: '', headers: {}, queryParameters: {} });
    const answered = process.hrtime.bigint();
    console.log(JSON.stringify({ status: response.statusCode, platformCalls: platform.kvs.calls.length + platform.jiraCalls.length,
      requireMs: Number(required - started) / 1e6, firstAnswerMs: Number(answered - started) / 1e6 }));`);
  t.diagnostic(`require: ${measured.requireMs.toFixed(1)} ms; require to first answer: ${measured.firstAnswerMs.toFixed(1)} ms`);
  assert.equal(measured.status, 405);
  assert.equal(measured.platformCalls, 0);
});

test('a PAM_CONFIGURE document the component refuses is logged without its content, and nothing is configured', () => {
  const result = inFreshProcess(
    `
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    const app = require(bundlePath);
    const response = await app.epmWebhook({ method: 'POST', path: '/', body: '{}', headers: {}, queryParameters: {} });
    console.log(JSON.stringify({ status: response.statusCode, values: [...platform.kvs.values.keys()], secrets: [...platform.kvs.secrets.keys()] }));`,
    { PAM_CONFIGURE: JSON.stringify({ config: { enabled: 'yes' }, secrets: { webhookPassword: 'top-secret-value' } }) },
  );
  assert.equal(result.status, 401);
  assert.deepEqual([result.values, result.secrets], [[], []]);
  assert.match(result.stderr, /PAM_CONFIGURE was refused: /);
  assert.doesNotMatch(result.stderr, /top-secret-value/);
});

test('a resolver call provisions PAM_CONFIGURE first, as a web trigger does', () => {
  // The page can be the first thing a new container serves.
  const result = inFreshProcess(
    `
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    const app = require(bundlePath);
    const event = { call: { functionKey: 'epm.request', payload: {} }, context: { extension: { issue: { key: 'PMCJIT-1' } } } };
    const rejected = await platform.asInvocation('712020:someone', () => app.resolver(event, { principal: { accountId: '712020:someone' } }))
      .then(() => 'nothing', (error) => error.name);
    console.log(JSON.stringify({ rejected, values: [...platform.kvs.values.keys()], secrets: [...platform.kvs.secrets.keys()].sort() }));`,
    {
      PAM_CONFIGURE: JSON.stringify({
        config: SANDBOX_CONFIG,
        secrets: { webhookUsername: USER, webhookPassword: PASSWORD },
        onlyIfUnconfigured: true,
      }),
    },
  );
  // Nobody allowed the app to act for them here, so the call ends at its first Jira read.
  assert.equal(result.rejected, 'NEEDS_AUTHENTICATION_ERR');
  assert.equal(result.values.length, 1, `the settings were stored: ${result.values}`);
  assert.deepEqual(result.secrets, ['epm.webhook.password', 'epm.webhook.username']);
});

test('PAM_CONFIGURE with onlyIfUnconfigured leaves a configuration saved on the configuration page alone', () => {
  // A new container starts with settings and credentials an admin saved on the page; the
  // bootstrap document must not undo them (docs/deploy-forge.md, "Scripted installs"). Without
  // the flag, the same document overwrites them: the shell passes it as it is.
  const saved = { version: 1, ...SANDBOX_CONFIG, approverGroup: 'pam-approvers' };
  const run = (onlyIfUnconfigured) => inFreshProcess(
    `
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    platform.kvs.values.set('config', ${JSON.stringify(JSON.stringify(saved))});
    platform.kvs.secrets.set('epm.webhook.username', 'page-user');
    platform.kvs.secrets.set('epm.webhook.password', 'saved-on-the-page-1');
    const app = require(bundlePath);
    const response = await app.epmWebhook({ method: 'GET', path: '/', body: '', headers: {}, queryParameters: {} });
    console.log(JSON.stringify({ status: response.statusCode, config: JSON.parse(platform.kvs.values.get('config')),
      secrets: Object.fromEntries(platform.kvs.secrets) }));`,
    {
      PAM_CONFIGURE: JSON.stringify({
        config: { ...SANDBOX_CONFIG, approverGroup: '' },
        secrets: { webhookUsername: USER, webhookPassword: PASSWORD },
        onlyIfUnconfigured,
      }),
    },
  );
  const kept = run(true);
  assert.equal(kept.status, 405);
  assert.equal(kept.config.approverGroup, 'pam-approvers');
  assert.deepEqual(kept.secrets, { 'epm.webhook.username': 'page-user', 'epm.webhook.password': 'saved-on-the-page-1' });
  const replaced = run(false);
  // Written back as the configuration record of provider sections (src/config/mod.rs).
  assert.equal(replaced.config.version, 2);
  assert.equal(replaced.config.epm.approverGroup, '');
  assert.deepEqual(replaced.secrets, { 'epm.webhook.username': USER, 'epm.webhook.password': PASSWORD });
});

/** Runs the bundle's scheduled trigger handler once in a fresh process (`setup` is run first, with
 * `platform`); prints {response, jiraCalls}, and what it logged is in stdout/stderr. */
function expiryTickAlone(setup, env) {
  const result = inFreshProcess(
    `
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    ${setup}
    const app = require(bundlePath);
    const event = { context: { cloudId: '7f3c1b9e-0000-4000-8000-00000000c10d', moduleKey: 'epm-expiry' }, contextToken: 'x' };
    const response = await app.expiryTick(event, {});
    console.log(JSON.stringify({ response, jiraCalls: platform.jiraCalls, unexpected: platform.unexpected }));`,
    env,
  );
  assert.deepEqual(result.unexpected, []);
  return result;
}

test('the expiry tick with the integration disabled: the core does nothing, and nothing is logged', () => {
  // Unconfigured: the core's defaults leave the integration disabled.
  const result = expiryTickAlone('');
  assert.deepEqual(result.response, { statusCode: 200 });
  assert.deepEqual(result.jiraCalls, []);
  assert.equal(result.stderr, '');
});

test('the expiry tick when Jira cannot be reached: the core\'s error is logged as an error', () => {
  // Enabled, but the stand-in's Jira is a closed port: the search fails, the outcome is `error`.
  const config = JSON.stringify(JSON.stringify({ version: 1, ...SANDBOX_CONFIG }));
  const result = expiryTickAlone(`platform.kvs.values.set('config', ${config});`);
  assert.deepEqual(result.response, { statusCode: 500 });
  assert.deepEqual(result.jiraCalls, ['app POST /rest/api/3/search/jql']);
  assert.match(result.stderr, /^scheduled trigger epm-expiry: the expiry search failed: /m);
});

test('the queue consumer `jobs` runs async events as jobs on the real component; an error outcome ends them', () => {
  // Until the core has jobs of its own it answers every job `error`; whatever it answers, a job
  // it refuses is final (the handler returns nothing, so Forge does not deliver it again), the
  // event's queue and retryCount reach the core, and a malformed event never does.
  const result = inFreshProcess(`
    const platform = forge.installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
    const app = require(bundlePath);
    const event = { queueName: 'pam-jobs', jobId: 'job-1', eventId: 'event-1', body: { payload: '{"kind":"test.nothing"}' },
      retryContext: { retryCount: 2, retryReason: 'FUNCTION_RETRY_REQUEST', retryData: {} } };
    const answers = [];
    for (const e of [event, { ...event, queueName: 'no-such-queue', retryContext: undefined }, { ...event, body: {} }]) {
      answers.push((await app.jobs(e, {})) ?? null);
    }
    console.log(JSON.stringify({ answers, unexpected: platform.unexpected, pushed: platform.queue.pushed }));`);
  assert.deepEqual(result.answers, [null, null, null]);
  assert.deepEqual([result.unexpected, result.pushed], [[], []]);
  assert.match(result.stderr, /^job on pam-jobs \(attempt 2\): \S/m);
  assert.match(result.stderr, /^job on no-such-queue \(attempt 0\): unknown queue "no-such-queue"$/m);
  assert.match(result.stderr, /^queue event event-1 on pam-jobs: no body\.payload string, dropped$/m);
});

/** Both hosts, fresh: the local host serves the webhooks itself; the Forge bundle runs in this
 * process with its Jira calls sent to a second local host's sandbox Jira and its KVS in memory. */
describe('the Forge bundle and the local host answer the same webhooks the same way', () => {
  const env = { PAM_WEBHOOK_USER: USER, PAM_WEBHOOK_PASSWORD: PASSWORD };
  let local;
  let forgeJira;
  let platform;
  let app;
  const sample = readFileSync(SAMPLE, 'utf8');
  const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  before(async () => {
    const started = await Promise.allSettled([startHost({ env }), startHost({ env })]);
    [local, forgeJira] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason; // `after` stops the one that started
    platform = installForgeRuntime({ jiraBase: forgeJira.jiraBase });
    // The Forge shell provisions its KVS from PAM_CONFIGURE before its first request, with the
    // document the local host applies at start-up in sandbox mode.
    process.env.PAM_CONFIGURE = JSON.stringify({
      config: SANDBOX_CONFIG,
      secrets: { webhookUsername: USER, webhookPassword: PASSWORD },
      onlyIfUnconfigured: true,
    });
    app = createRequire(import.meta.url)(bundlePath);
  });
  after(async () => {
    delete process.env.PAM_CONFIGURE;
    await Promise.all([local?.stop(), forgeJira?.stop()]);
  });

  function request({ method = 'POST', authorization = basic(USER, PASSWORD), body = sample }) {
    const headers = { 'Content-Type': 'application/json' };
    if (authorization) headers.Authorization = authorization;
    return { method, headers, body: method === 'GET' ? '' : body };
  }

  /** The local host's answer over HTTP: {status, headers, body}. */
  async function sendLocal({ method, headers, body }) {
    const sent = await fetch(local.webTrigger, { method, headers, body: method === 'GET' ? undefined : body });
    return { status: sent.status, headers: sent.headers, body: await sent.text() };
  }

  /** The Forge handler's answer to the same request as a Forge web trigger event. */
  function sendForge({ method, headers, body }) {
    const lowerCased = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), [value]]);
    return app.epmWebhook({ method, path: '/', body, headers: Object.fromEntries(lowerCased), queryParameters: {} });
  }

  /** Sends one request to both hosts; returns {local, forge, forgeMs}. */
  async function both(options) {
    const sent = request(options);
    const localAnswer = await sendLocal(sent);
    const started = process.hrtime.bigint();
    const response = await sendForge(sent);
    return { local: localAnswer, forge: response, forgeMs: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  function assertSameAnswer({ local: l, forge: f }, status) {
    assert.deepEqual(Object.keys(f).sort(), ['body', 'headers', 'statusCode'], 'a Forge dynamic response');
    assert.equal(l.status, status, l.body);
    assert.equal(f.statusCode, l.status, `Forge answered ${f.statusCode} ${f.body}`);
    assert.equal(f.body, l.body);
    for (const [name, values] of Object.entries(f.headers)) {
      assert.ok(Array.isArray(values), `header ${name} is a list`);
      assert.equal(values.join(', '), l.headers.get(name), `header ${name}`);
    }
    return JSON.parse(f.body);
  }

  let createdKey;

  test('create: 201 with the new issue key', async (t) => {
    const answers = await both({});
    const body = assertSameAnswer(answers, 201);
    assert.equal(body.created, true);
    assert.match(body.issueKey, /^[A-Z][A-Z0-9]*-\d+$/);
    createdKey = body.issueKey;
    assert.deepEqual([...platform.kvs.secrets.keys()].sort(), ['epm.webhook.password', 'epm.webhook.username']);
    t.diagnostic(`Forge handler, first request (provisioning, then Jira: ${platform.jiraCalls.join(', ')}): ${answers.forgeMs.toFixed(1)} ms`);
  });

  test('duplicate delivery: 200, created false, same issue', async () => {
    const body = assertSameAnswer(await both({}), 200);
    assert.deepEqual(body, { issueKey: createdKey, created: false });
  });

  test('two deliveries at once: one creates (201), the other waits for it and answers 200', async () => {
    // Another request id, so this pair races for a fresh claim (KVS FAIL_IF_EXISTS on Forge).
    const other = sample.replaceAll('7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13', '7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c14');
    const sent = request({ body: other });
    const conflictsBefore = platform.kvs.conflicts;
    const locals = await Promise.all([sendLocal(sent), sendLocal(sent)]);
    const forges = await Promise.all([sendForge(sent), sendForge(sent)]);
    const local = locals.map((a) => `${a.status} ${a.body}`).sort();
    const forge = forges.map((a) => `${a.statusCode} ${a.body}`).sort();
    assert.deepEqual(forge, local);
    assert.deepEqual(local.map((line) => line.slice(0, 3)), ['200', '201']);
    assert.equal(platform.kvs.conflicts - conflictsBefore, 1, 'the second delivery lost the claim');
  });

  test('bad credentials: 401 with a Basic challenge', async () => {
    const answers = await both({ authorization: basic(USER, 'wrong-password') });
    assertSameAnswer(answers, 401);
    assert.match(answers.forge.headers['WWW-Authenticate']?.[0] ?? '', /^Basic /);
    assertSameAnswer(await both({ authorization: null }), 401);
  });

  test('bad body: 400', async () => {
    assertSameAnswer(await both({ body: '{' }), 400);
  });

  test('wrong method: 405 with Allow', async () => {
    const answers = await both({ method: 'GET' });
    assertSameAnswer(answers, 405);
    assert.deepEqual(answers.forge.headers.Allow, ['POST']);
  });

  test('300 KiB body: 413', async () => {
    assertSameAnswer(await both({ body: 'x'.repeat(300 * 1024) }), 413);
  });

  test('both sandboxes hold the same issues, and the Forge shell used only the platform routes it should', async () => {
    const [localIssues, forgeIssues] = await Promise.all([sandboxIssues(local), sandboxIssues(forgeJira)]);
    assert.ok(JSON.stringify(localIssues).includes('7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13'), 'the request id reached Jira');
    assert.deepEqual(forgeIssues, localIssues);
    assert.deepEqual(platform.unexpected, []);
    assert.ok(platform.kvs.calls.some((c) => c.options?.keyPolicy === 'FAIL_IF_EXISTS'), 'intake claims its record atomically');
  });
});
