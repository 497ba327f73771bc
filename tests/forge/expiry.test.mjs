// Server-side expiry through the real bundle: the scheduled trigger's handler (`expiryTick`,
// function `expiry-fn`), called as Forge calls it, ends an approval whose time is up exactly as the
// local host's tick does: the same outcome, the same Jira calls as the app, the same issue (moved
// to Expired, a note, the property without `openExpiry`), and a second run that does nothing.
// Time passes with a clock offset: the stand-in platform's `Date.now` for the bundle, the local
// host's sandbox clock (`POST /_sandbox/clock`) for the local host. Each host has its own
// sandboxes; the bundle's Jira calls go to a second local host's sandbox Jira.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { bridgeInvoke, forgeInvoke } from './support/invoke.mjs';
import { sendSampleToBoth, startParity } from './support/parity.mjs';
import { jiraRequests, resetJiraRequests, sandboxIssues } from './support/sandbox.mjs';

const ISSUE = 'PMCJIT-1';
const TRIGGER = 'epm-expiry';
const APPROVE_1H = { decision: 'approve', duration: { unit: 'hours', count: 1 }, message: 'for the driver update' };
const HOUR_AND_A_MINUTE = 61 * 60 * 1000;
const NOTHING_DUE = { due: 0, expired: [], failed: [], skipped: 0, more: false };

/** The event and context Forge passes a scheduled trigger function (no user: no principal). */
const scheduledEvent = () => ({
  context: { cloudId: '7f3c1b9e-0000-4000-8000-00000000c10d', moduleKey: TRIGGER },
  contextToken: 'stand-in-context-token',
});
const scheduledContext = () => ({ installContext: 'ari:cloud:jira::site/7f3c1b9e-0000-4000-8000-00000000c10d' });

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('the expiry tick on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-expiry-'));
  let local;
  let forgeSide;
  let platform;
  let app;
  let stop;
  let alice;

  before(async () => {
    ({ local, forgeSide, platform, app, stop } = await startParity(outDir));
    alice = await platform.signIn('alice@example.com');
  });
  after(async () => {
    await stop?.();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** The local host's tick: its outcome JSON (`POST /_sandbox/scheduled/epm-expiry`). */
  async function localTick() {
    const { status, text } = await post(`${local.base}/_sandbox/scheduled/${TRIGGER}`);
    assert.equal(status, 200, text);
    return JSON.parse(text);
  }

  /** The bundle's tick as Forge runs it: {response, logged, errors} (what it wrote to the logs). */
  async function forgeTick(t) {
    const logged = [];
    const errors = [];
    const log = t.mock.method(console, 'log', (...args) => logged.push(args.join(' ')));
    const error = t.mock.method(console, 'error', (...args) => errors.push(args.join(' ')));
    try {
      // Outside any user's invocation: an asUser() call would be refused (and recorded).
      return { response: await app.expiryTick(scheduledEvent(), scheduledContext()), logged, errors };
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
  }

  /** The outcome the bundle logged: the JSON after "scheduled trigger epm-expiry: ". */
  function loggedOutcome(logged) {
    const prefix = `scheduled trigger ${TRIGGER}: `;
    const lines = logged.filter((line) => line.startsWith(prefix));
    assert.equal(lines.length, 1, logged.join('\n'));
    return JSON.parse(lines[0].slice(prefix.length));
  }

  /** Both hosts' Jira calls since the last reset agree; all were made as the app. */
  async function sameJiraCallsAsTheApp() {
    const [localCalls, forgeCalls] = await Promise.all([jiraRequests(local), jiraRequests(forgeSide)]);
    assert.deepEqual(forgeCalls, localCalls);
    const callers = new Set(forgeCalls.map((c) => c.caller));
    assert.ok(callers.size <= 1 && !callers.has(alice), `as the app only: ${JSON.stringify(forgeCalls)}`);
    assert.deepEqual(platform.unexpected, []);
    return forgeCalls;
  }

  test('set-up: the webhook creates PMCJIT-1 and Alice approves it for one hour, on both hosts', async () => {
    const { local: sent, forge: created } = await sendSampleToBoth({ local, app });
    assert.equal(sent.status, 201, await sent.text());
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(JSON.parse(created.body).issueKey, ISSUE);

    const call = { accountId: alice, name: 'epm.decide', payload: APPROVE_1H, issueKey: ISSUE };
    const [localAnswer, forgeAnswer] = [await bridgeInvoke(local, call), await forgeInvoke({ platform, handler: app.resolver }, call)];
    for (const answer of [localAnswer, forgeAnswer]) {
      assert.ok(answer.ok, answer.message);
      assert.equal(answer.value.ok, true, JSON.stringify(answer.value));
      assert.equal(answer.value.outcome.movedTo, 'Approved');
    }
    // The approval waits for the tick: its end is in the property, indexed as openExpiry.
    const issue = (await sandboxIssues(forgeSide)).find((i) => i.key === ISSUE);
    assert.equal(issue.fields.status.name, 'Approved');
    const property = issue.properties['pam-approvals.epm'];
    assert.equal(property.openExpiry, '<epoch-ms>', JSON.stringify(property));
    assert.equal(property.expiredAt, undefined);
  });

  test('before the hour has passed: nothing is due, the bundle logs nothing and writes nothing', async (t) => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    assert.deepEqual(await localTick(), NOTHING_DUE);
    const forge = await forgeTick(t);
    assert.deepEqual(forge.response, { statusCode: 200 });
    assert.deepEqual([forge.logged, forge.errors], [[], []]);
    const calls = await sameJiraCallsAsTheApp();
    // One search, as the app, for the approvals whose openExpiry has passed.
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path} ${c.status}`), ['POST /rest/api/3/search/jql 200']);
  });

  test('an hour and a minute later: the approval expires, the issue moves to Expired, the outcome is logged', async (t) => {
    platform.clock.advance(HOUR_AND_A_MINUTE);
    const advanced = await post(`${local.base}/_sandbox/clock`, { advanceMs: HOUR_AND_A_MINUTE });
    assert.ok(advanced.status < 300, `${advanced.status} ${advanced.text}`);
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);

    const localOutcome = await localTick();
    const forge = await forgeTick(t);
    assert.deepEqual(forge.response, { statusCode: 200 });
    assert.deepEqual(forge.errors, []);
    const forgeOutcome = loggedOutcome(forge.logged);
    assert.deepEqual(forgeOutcome, localOutcome);
    assert.deepEqual(forgeOutcome, { due: 1, expired: [{ issueKey: ISSUE, movedTo: 'Expired' }], failed: [], skipped: 0, more: false });

    // The search, then the note, the property and the move, all as the app.
    const calls = await sameJiraCallsAsTheApp();
    const writes = calls.filter((c) => c.method !== 'GET' && c.path !== '/rest/api/3/search/jql');
    assert.ok(writes.length >= 3, JSON.stringify(calls));
    assert.ok(calls.every((c) => c.status < 300), JSON.stringify(calls));
    // The app names the issue by its Jira id (fixed for the issue's life) in what it writes.
    const { id } = (await sandboxIssues(local)).find((i) => i.key === ISSUE);
    assert.ok(writes.some((c) => c.method === 'PUT' && c.path === `/rest/api/3/issue/${id}/properties/pam-approvals.epm`));
    assert.ok(writes.some((c) => c.method === 'POST' && c.path === `/rest/api/3/issue/${id}/transitions`));
  });

  test('both sandboxes hold the same expired issue: status Expired, a note, the property without openExpiry', async () => {
    const [localIssues, forgeIssues] = await Promise.all([sandboxIssues(local), sandboxIssues(forgeSide)]);
    assert.deepEqual(forgeIssues, localIssues);
    const issue = forgeIssues.find((i) => i.key === ISSUE);
    assert.equal(issue.fields.status.name, 'Expired');
    const property = issue.properties['pam-approvals.epm'];
    assert.equal(property.openExpiry, undefined, JSON.stringify(property));
    assert.equal(property.expiredAt, '<epoch-ms>');
    assert.equal(property.decision.approved, true);
    // Two notes: the approval's, then the expiry's.
    const notes = issue.comments;
    assert.equal(notes.length, 2, JSON.stringify(notes));
    assert.match(notes[0].plainText, /Approved by Alice Approver/);
    assert.match(notes[1].plainText, /expired/i);
  });

  test('a second run finds nothing: no outcome logged, nothing written, on both hosts', async (t) => {
    await Promise.all([resetJiraRequests(local), resetJiraRequests(forgeSide)]);
    const before = await sandboxIssues(forgeSide);
    assert.deepEqual(await localTick(), NOTHING_DUE);
    const forge = await forgeTick(t);
    assert.deepEqual(forge.response, { statusCode: 200 });
    assert.deepEqual([forge.logged, forge.errors], [[], []]);
    const calls = await sameJiraCallsAsTheApp();
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), ['POST /rest/api/3/search/jql']);
    assert.deepEqual(await sandboxIssues(forgeSide), before);
  });
});
