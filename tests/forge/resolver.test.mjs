// The pages' resolvers (the issue action's epm.*, the configuration page's admin.*) through the
// real bundle, called as Forge calls them, answer like the local host's bridge: the same answers,
// the same Jira calls as the same people, the same decision in the sandbox EPM, the same stored
// configuration and the same Jira state. Each host has its own sandboxes; the Forge bundle runs in
// this process with its Jira calls sent to a second local host's sandbox Jira (as the app, or as
// the invoking person) and its EPM fetches to that host's sandbox EPM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WEB_TRIGGER_URL } from './support/forge-runtime.mjs';
import { adminPageContext, bridgeInvoke, comparable, forgeInvoke, issueActionContext } from './support/invoke.mjs';
import { PASSWORD, USER, sendSampleToBoth, startParity } from './support/parity.mjs';
import {
  SANDBOX_CONFIG,
  epmDecisions,
  jiraRequests,
  masked,
  resetJiraRequests,
  sandboxIssues,
} from './support/sandbox.mjs';

const ISSUE = 'PMCJIT-1';
const APPROVE_4H = { decision: 'approve', duration: { unit: 'hours', count: 4 }, message: 'for the driver update' };
/** The Validate configuration checks, in order (docs/resolvers.md). */
// With deciding in Jira on (the default) and the sandbox's duration field set, the duration
// field and the way back for refused moves are checked too.
const CHECK_IDS = ['enabled', 'webhookCredentials', 'project', 'issueType', 'customField', 'assignee',
  'durationField', 'approvedStatus', 'deniedStatus', 'moveBack', 'epmHost', 'epmToken'];

describe('the pages\' resolvers on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-resolver-'));
  let local;
  let forgeSide;
  let platform;
  let app;
  let stop;
  const people = {};

  before(async () => {
    ({ local, forgeSide, platform, app, stop } = await startParity(outDir));
    // Seeded people of the sandbox site; the same account ids on both hosts.
    people.alice = await platform.signIn('alice@example.com');
    people.bob = await platform.signIn('bob@example.com');
    people.carol = await platform.signIn('carol@example.com'); // a Jira administrator
  });
  after(async () => {
    await stop?.();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** One page call on both hosts: {forge, local} answers ({ok, value} or {ok: false, message}). */
  async function both(call) {
    const full = { issueKey: ISSUE, ...call };
    const localAnswer = await bridgeInvoke(local, full);
    const forgeAnswer = await forgeInvoke({ platform, handler: app.resolver }, full);
    return { local: localAnswer, forge: forgeAnswer };
  }

  /** The answers agree (masked; each host's own web trigger URL as <web-trigger-url>); returns
   * the Forge side's value. */
  function sameValue({ local: l, forge: f }) {
    assert.ok(f.ok, `Forge rejected the invoke: ${f.message}`);
    assert.ok(l.ok, `the local bridge answered ${l.status}: ${l.message}`);
    const ownUrl = (value, url) => JSON.parse(JSON.stringify(value).replaceAll(url, '<web-trigger-url>'));
    assert.deepEqual(comparable(ownUrl(f.value, WEB_TRIGGER_URL), forgeSide), comparable(ownUrl(l.value, local.webTrigger), local));
    return f.value;
  }

  /** One configuration page call on both hosts, as `accountId`. */
  const admin = (accountId, name, payload = {}) => both({ accountId, name, payload, context: adminPageContext() });

  /** What the Forge side has stored: the settings record and the secrets (values). */
  const forgeStorage = () => ({ values: new Map(platform.kvs.values), secrets: new Map(platform.kvs.secrets) });

  test('the webhook creates PMCJIT-1 through the bundle, as on the local host', async () => {
    const { local: sent, forge } = await sendSampleToBoth({ local, app });
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

  test('the issue action calls do not ask Forge for a web trigger URL; only admin.* calls do', () => {
    assert.deepEqual(platform.webTriggerRequests, []);
  });

  test('admin.config as Carol, a Jira admin: the settings, which secrets are set (never their values), the web trigger URL Forge gives', async () => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const answers = await admin(people.carol, 'admin.config');
    const answer = sameValue(answers);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const { view } = answer;
    assert.equal(view.config.serviceHostname, SANDBOX_CONFIG.serviceHostname);
    assert.deepEqual(view.secrets, { webhookUsername: USER, webhookPasswordSet: true, clientSecretSet: true });
    // webTriggerUrls reached the core: the URL @forge/api's webTrigger.getUrl answered.
    assert.deepEqual(platform.webTriggerRequests, ['epm-webhook', 'pra-ticket', 'keeper-alert']);
    assert.deepEqual(view.webhookUrls.map((u) => [u.url, u.primary]), [[WEB_TRIGGER_URL, true]]);
    assert.equal(answers.local.value.view.webhookUrls[0].url, local.webTrigger);
    assert.deepEqual(view.templates.map((t) => t.key), ['ticketCreated', 'decisionUpdate']);
    // epm.sandbox.test is outside the manifest's egress: the page says what to add to manifest.yml.
    assert.ok(view.warnings.some((w) => w.includes('permissions.external.fetch.backend')), JSON.stringify(view.warnings));
    for (const { value } of [answers.forge, answers.local]) {
      const text = JSON.stringify(value);
      for (const secret of [PASSWORD, forgeSide.epmClientSecret(), local.epmClientSecret()]) {
        assert.ok(!text.includes(secret), 'no secret value in the answer');
      }
    }
    // One Jira call, Carol's ADMINISTER right, made as Carol.
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    assert.deepEqual(forgeCalls.map((c) => [c.method, c.path, c.query, c.caller]),
      [['GET', '/rest/api/3/mypermissions', 'permissions=ADMINISTER', people.carol]]);
  });

  test('admin.config when Forge gives no web trigger URL: logged, and the page warns instead of showing one', async (t) => {
    const logged = [];
    t.mock.method(console, 'error', (...args) => logged.push(args.join(' ')));
    platform.webTriggers.failing = true;
    try {
      const answer = await forgeInvoke({ platform, handler: app.resolver },
        { accountId: people.carol, name: 'admin.config', context: adminPageContext() });
      assert.ok(answer.ok, answer.message);
      assert.equal(answer.value.ok, true);
      assert.deepEqual(answer.value.view.webhookUrls, []);
      assert.ok(answer.value.view.warnings.some((w) => /web trigger URL/.test(w)), JSON.stringify(answer.value.view.warnings));
    } finally {
      platform.webTriggers.failing = false;
    }
    assert.ok(logged.some((line) => /admin\.config: no URL for web trigger epm-webhook/.test(line)), logged.join('\n'));
  });

  test('admin.save, invalid: every problem by field, and nothing is written', async () => {
    const before = forgeStorage();
    const { config } = sameValue(await admin(people.carol, 'admin.config')).view;
    const payload = {
      config: { ...config, projectKey: 'bad key', serviceHostname: 'https://x.example.com/p' },
      secrets: { webhookPassword: 'short' },
    };
    const answer = sameValue(await admin(people.carol, 'admin.save', payload));
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'invalid');
    assert.deepEqual(Object.keys(answer.error.fields).sort(), ['projectKey', 'serviceHostname', 'webhookPassword']);
    assert.ok(!JSON.stringify(answer).includes('"short"'), 'the password typed is not echoed');
    assert.deepEqual(forgeStorage(), before, 'nothing stored on Forge changed');
    // Nor on the local host: it still shows the stored settings.
    const after = sameValue(await admin(people.carol, 'admin.config'));
    assert.deepEqual(after.view.config, config);
  });

  test('admin.save, valid: the settings and the new password are stored, and the answer is the new view', async () => {
    const { config } = sameValue(await admin(people.carol, 'admin.config')).view;
    const newPassword = 'forge-parity-password-2';
    const payload = {
      config: { ...config, approverGroup: 'pam-approvers', summaryTemplate: 'JIT: %%User%% on %%HostName%%' },
      secrets: { webhookPassword: newPassword, clientSecret: '' },
    };
    const clientSecretBefore = platform.kvs.secrets.get('epm.client.secret');
    const answer = sameValue(await admin(people.carol, 'admin.save', payload));
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.view.config.approverGroup, 'pam-approvers');
    assert.equal(answer.view.config.summaryTemplate, 'JIT: %%User%% on %%HostName%%');
    assert.ok(!JSON.stringify(answer).includes(newPassword), 'the new password is not echoed');
    // Forge storage: the record, the new password; a blank client secret keeps the stored one.
    assert.match(platform.kvs.values.get('config'), /"approverGroup":"pam-approvers"/);
    assert.equal(platform.kvs.secrets.get('epm.webhook.password'), newPassword);
    assert.equal(platform.kvs.secrets.get('epm.client.secret'), clientSecretBefore);
    // Both hosts read back the same settings.
    assert.deepEqual(sameValue(await admin(people.carol, 'admin.config')).view, answer.view);
  });

  test('admin.validate as Carol: the same checks against each live sandbox; the workflow is read as Carol', async (t) => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const egressBefore = platform.egress.length;
    const answer = sameValue(await admin(people.carol, 'admin.validate'));
    assert.equal(answer.ok, true, JSON.stringify(answer));
    t.diagnostic(answer.checks.map((c) => `${c.id}: ${c.status}`).join(', '));
    assert.deepEqual(answer.checks.map((c) => c.id), CHECK_IDS);
    for (const check of answer.checks) {
      assert.ok(['pass', 'fail', 'warn', 'skip'].includes(check.status), JSON.stringify(check));
      assert.equal(typeof check.fix, 'string');
    }
    const statuses = Object.fromEntries(answer.checks.map((c) => [c.id, c.status]));
    assert.deepEqual(
      { enabled: statuses.enabled, webhookCredentials: statuses.webhookCredentials, epmHost: statuses.epmHost, epmToken: statuses.epmToken },
      { enabled: 'pass', webhookCredentials: 'pass', epmHost: 'pass', epmToken: 'pass' },
      JSON.stringify(answer.checks),
    );
    const count = (status) => answer.checks.filter((c) => c.status === status).length;
    assert.deepEqual(answer.summary, { passed: count('pass'), failed: count('fail'), warnings: count('warn'), skipped: count('skip') });
    // EPM was reached through Forge's egress (the host, then a token request).
    assert.ok(platform.egress.length > egressBefore, 'EPM was called through the egress proxy');
    assert.ok(platform.egress.slice(egressBefore).every((e) => e.endsWith(' /oauth/connect/token')), JSON.stringify(platform.egress));
    // The same Jira calls as the same callers; the workflow read (admins only) as Carol.
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    const workflows = forgeCalls.filter((c) => c.method === 'POST' && c.path === '/rest/api/3/workflows');
    assert.equal(workflows.length, 1, JSON.stringify(forgeCalls));
    assert.equal(workflows[0].caller, people.carol);
    assert.ok(forgeCalls.every((c) => c.status < 400), JSON.stringify(forgeCalls));
  });

  test('Alice, not a Jira admin, is refused every admin.* call and learns nothing of the configuration', async () => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const before = forgeStorage();
    const egressBefore = platform.egress.length;
    const { config } = sameValue(await admin(people.carol, 'admin.config')).view;
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const payloads = {
      'admin.config': {},
      'admin.save': { config: { ...config, projectKey: 'OPS' }, secrets: { webhookPassword: 'taken-over-password-1' } },
      'admin.validate': {},
    };
    for (const [name, payload] of Object.entries(payloads)) {
      const answer = sameValue(await admin(people.alice, name, payload));
      assert.equal(answer.ok, false, `${name}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error.code, 'forbidden');
      const text = JSON.stringify(answer);
      assert.ok(!text.includes(SANDBOX_CONFIG.serviceHostname) && !text.includes(USER), `${name} leaks settings: ${text}`);
    }
    assert.deepEqual(forgeStorage(), before, 'nothing stored on Forge changed');
    assert.equal(platform.egress.length, egressBefore, 'no EPM call');
    // Only Alice's ADMINISTER right was asked, once per call, as Alice.
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    assert.deepEqual(forgeCalls.map((c) => [c.path, c.query, c.caller]),
      Array(3).fill(['/rest/api/3/mypermissions', 'permissions=ADMINISTER', people.alice]));
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
