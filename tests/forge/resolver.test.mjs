// The issue action page's resolvers through the real bundle, called as Forge calls them, answer
// like the local host's bridge: the same answers, the same Jira calls as the same people, the
// same decision in the sandbox EPM and the same Jira state. Each host has its own sandboxes; the
// Forge bundle runs in this process with its Jira calls sent to a second local host's sandbox
// Jira (as the app, or as the invoking person) and its EPM fetches to that host's sandbox EPM.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildComponent, bundleApp } from './support/app-build.mjs';
import { installForgeRuntime } from './support/forge-runtime.mjs';
import { bridgeInvoke, comparable, forgeInvoke, issueActionContext } from './support/invoke.mjs';
import { startHost } from './support/local-host.mjs';
import { SAMPLE } from './support/paths.mjs';
import {
  EPM_HOST,
  SANDBOX_CONFIG,
  epmDecisions,
  jiraRequests,
  masked,
  resetJiraRequests,
  sandboxIssues,
} from './support/sandbox.mjs';

const USER = 'pam-webhook';
const PASSWORD = 'forge-parity-password-1';
const ISSUE = 'PMCJIT-1';
const APPROVE_4H = { decision: 'approve', duration: { unit: 'hours', count: 4 }, message: 'for the driver update' };

describe('the issue action resolvers on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-resolver-'));
  let local;
  let forgeSide;
  let platform;
  let app;
  const people = {};

  before(async () => {
    buildComponent();
    const bundlePath = bundleApp(outDir);
    const env = { PAM_WEBHOOK_USER: USER, PAM_WEBHOOK_PASSWORD: PASSWORD };
    const started = await Promise.allSettled([startHost({ env }), startHost({ env })]);
    [local, forgeSide] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason; // `after` stops the one that started
    platform = installForgeRuntime({ jiraBase: forgeSide.jiraBase, epm: { host: EPM_HOST, base: forgeSide.epmBase } });
    // What the local host applies at start-up in sandbox mode, with the EPM client secret of the
    // sandbox EPM the Forge side talks to.
    process.env.PAM_CONFIGURE = JSON.stringify({
      config: SANDBOX_CONFIG,
      secrets: { webhookUsername: USER, webhookPassword: PASSWORD, clientSecret: forgeSide.epmClientSecret() },
      onlyIfUnconfigured: true,
    });
    app = createRequire(import.meta.url)(bundlePath);
    // Seeded people of the sandbox site; the same account ids on both hosts.
    people.alice = await platform.signIn('alice@example.com');
    people.bob = await platform.signIn('bob@example.com');
  });
  after(async () => {
    delete process.env.PAM_CONFIGURE;
    await Promise.all([local?.stop(), forgeSide?.stop()]);
    rmSync(outDir, { recursive: true, force: true });
  });

  /** One page call on both hosts: {forge, local} answers ({ok, value} or {ok: false, message}). */
  async function both(call) {
    const full = { issueKey: ISSUE, ...call };
    const localAnswer = await bridgeInvoke(local, full);
    const forgeAnswer = await forgeInvoke({ platform, handler: app.resolver }, full);
    return { local: localAnswer, forge: forgeAnswer };
  }

  /** The answers agree (masked); returns the Forge side's value. */
  function sameValue({ local: l, forge: f }) {
    assert.ok(f.ok, `Forge rejected the invoke: ${f.message}`);
    assert.ok(l.ok, `the local bridge answered ${l.status}: ${l.message}`);
    assert.deepEqual(comparable(f.value, forgeSide), comparable(l.value, local));
    return f.value;
  }

  test('the webhook creates PMCJIT-1 through the bundle, as on the local host', async () => {
    const sample = readFileSync(SAMPLE, 'utf8');
    const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const sent = await fetch(local.webTrigger, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: authorization },
      body: sample,
    });
    const forge = await app.epmWebhook({
      method: 'POST',
      path: '/',
      body: sample,
      headers: { 'content-type': ['application/json'], authorization: [authorization] },
      queryParameters: {},
    });
    assert.equal(sent.status, 201);
    assert.equal(forge.statusCode, 201, forge.body);
    assert.equal(forge.body, await sent.text());
    assert.equal(JSON.parse(forge.body).issueKey, ISSUE);
  });

  test('epm.request as Alice: the request view, and she may decide', async () => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const answer = sameValue(await both({ accountId: people.alice, name: 'epm.request' }));
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.view.issueKey, ISSUE);
    assert.equal(answer.view.canDecide, true);
    // The same Jira calls, made as the same people: the issue, /myself and /mypermissions as Alice.
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    const asAlice = forgeCalls.filter((c) => c.caller === people.alice).map((c) => c.path);
    assert.ok(asAlice.includes(`/rest/api/3/issue/${ISSUE}`), JSON.stringify(forgeCalls));
    assert.ok(asAlice.includes('/rest/api/3/myself') && asAlice.includes('/rest/api/3/mypermissions'));
  });

  test('epm.request as Bob, the requester: he may not decide his own request', async () => {
    const answer = sameValue(await both({ accountId: people.bob, name: 'epm.request' }));
    assert.equal(answer.ok, true);
    assert.equal(answer.view.canDecide, false);
    assert.match(answer.view.cannotDecide, /someone else/);
  });

  test('the platform, not the page, says who is asking: a context naming Alice still acts for Bob', async () => {
    const spoofed = issueActionContext(ISSUE, { accountId: people.alice });
    const answer = await forgeInvoke(
      { platform, handler: app.resolver },
      { accountId: people.bob, name: 'epm.request', context: spoofed },
    );
    assert.equal(answer.value.view.canDecide, false);
  });

  test('epm.decide as Alice, approve for 4 hours: EPM first, then the issue moves to Approved', async () => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const answer = sameValue(await both({ accountId: people.alice, name: 'epm.decide', payload: APPROVE_4H }));
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.outcome.movedTo, 'Approved');
    assert.equal(answer.view.state.kind, 'approved');
    assert.equal(answer.view.canDecide, false);
    // Each host's sandbox EPM received exactly one decision, the same one.
    const [localSent, forgeSent] = await Promise.all([epmDecisions(local), epmDecisions(forgeSide)]);
    assert.equal(forgeSent.length, 1, JSON.stringify(forgeSent));
    assert.equal(forgeSent[0].duration, '14400');
    assert.equal(forgeSent[0].decision, 'Approved');
    assert.equal(forgeSent[0].ticketId, ISSUE);
    assert.deepEqual(masked(forgeSent, [forgeSide.base]), masked(localSent, [local.base]));
    assert.deepEqual(platform.egress, ['POST /oauth/connect/token', 'POST /management-api/v2/AuthorizationRequest/notification']);
    // The same Jira calls as the same callers: reads as Alice, the note, property and move as the app.
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    const writes = forgeCalls.filter((c) => c.method !== 'GET');
    assert.ok(writes.length >= 3, JSON.stringify(forgeCalls));
    assert.ok(writes.every((c) => c.caller !== people.alice && c.status < 300), JSON.stringify(writes));
  });

  test('a second decision is refused: already decided (by whom, when)', async () => {
    const answer = sameValue(await both({ accountId: people.alice, name: 'epm.decide', payload: { decision: 'deny' } }));
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'already-decided');
    assert.match(answer.error.message, /Alice Approver/);
    assert.equal((await epmDecisions(forgeSide)).length, 1, 'nothing more was sent to EPM');
  });

  test('an unknown resolver name is refused on both hosts', async () => {
    const { local: l, forge: f } = await both({ accountId: people.alice, name: 'epm.nope' });
    // The local bridge runs it and answers the core's error; on Forge, @forge/resolver refuses a
    // name the handler did not define before the component runs.
    assert.deepEqual(l, { ok: false, status: 400, message: 'unknown resolver "epm.nope"' });
    assert.deepEqual(f, { ok: false, name: 'Error', message: "Resolver has no definition for 'epm.nope'." });
    // The component, run by the bundle's shell, gives the bridge's message.
    const outcome = await app.runInvocation({
      tag: 'resolver',
      val: { name: 'epm.nope', payload: '{}', context: JSON.stringify(issueActionContext(ISSUE)) },
    });
    assert.deepEqual(outcome, { tag: 'error', val: l.message });
  });

  test('someone who has not allowed the app to act for them: the consent error reaches Forge unchanged', async () => {
    // Forge answers NEEDS_AUTHENTICATION_ERR from a resolver by asking the person for consent;
    // swallowed into an answer, the page would say Jira failed instead.
    const answer = await forgeInvoke(
      { platform, handler: app.resolver },
      { accountId: '712020:not-consented', name: 'epm.request', issueKey: ISSUE },
    );
    assert.equal(answer.ok, false);
    assert.equal(answer.name, 'NEEDS_AUTHENTICATION_ERR');
    assert.equal(platform.consentRequired.length, 1, 'the run stopped at its first call as the user');
    assert.match(platform.consentRequired[0], new RegExp(`^GET /rest/api/3/issue/${ISSUE}\\?`));
  });

  test('both sandboxes end in the same state, and the Forge shell used only the routes it should', async () => {
    const [localIssues, forgeIssues] = await Promise.all([sandboxIssues(local), sandboxIssues(forgeSide)]);
    assert.deepEqual(forgeIssues, localIssues);
    const issue = forgeIssues.find((i) => i.key === ISSUE);
    assert.equal(issue.fields.status.name, 'Approved');
    const notes = issue.comments.filter((c) => c.internal);
    assert.equal(notes.length, 1, 'one internal note');
    assert.match(notes[0].plainText, /Approved by Alice Approver/);
    assert.deepEqual(platform.unexpected, []);
  });
});
