// BeyondTrust PRA on the Forge bundle and on the local host: the same PRA section saved on the
// configuration page (each host generates its own URL secret and shows it once), then the same
// appliance requests answered the same way: the web trigger's 202 (and 401/400 for bad ones),
// the answer the appliance receives after the job runs (Forge: the queue event handed to the
// bundle's `jobs`), and the audit on the issue. Each host has its own sandbox Jira and appliance;
// the bundle's appliance is the second local host's (`pra.sandbox.test` routed there).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminPageContext, bridgeInvoke, forgeInvoke } from './support/invoke.mjs';
import { startParity } from './support/parity.mjs';
import { masked } from './support/sandbox.mjs';

const BOB = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003';
const SETTINGS = {
  enabled: true,
  applianceHost: 'pra.sandbox.test',
  allowedProjects: ['OPS'],
  rules: { issueKey: true, issueExists: true, status: true, requester: true, jumpItem: true, changeWindow: false },
  assetField: 'customfield_10050',
  sessionAttributes: [{ codeName: 'jira_issue', source: 'issueKey' }, { codeName: 'jira_summary', source: 'summary' }],
};

describe('PRA ticket-ID approval on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-pra-'));
  let local;
  let forgeSide;
  let platform;
  let app;
  let stop;
  let carol;
  const secrets = {};

  before(async () => {
    ({ local, forgeSide, platform, app, stop } = await startParity(outDir));
    carol = await platform.signIn('carol@example.com');
  });
  after(async () => {
    await stop?.();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** A sandbox Jira REST call as Carol on one host. */
  async function asCarol(host, method, restPath, body) {
    const response = await fetch(`${host.jiraBase}${restPath}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('carol@example.com:sandbox').toString('base64')}` },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** The appliance's controls on one host. */
  async function appliance(host, method, controlPath, body) {
    const response = await fetch(`${host.base}/sandbox/pra/_sandbox/${controlPath}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** Sends `form` to the local host's web trigger and to the bundle's `praTicket`, each with its
   * own secret (or `secretOf(host)`); {local, forge} as {status, body}. */
  async function sendBoth(form, { contentType = 'application/x-www-form-urlencoded', secretOf = (side) => secrets[side] } = {}) {
    const localUrl = new URL(`${local.base}/x/pra-ticket`);
    if (secretOf('local') !== undefined) localUrl.searchParams.set('secret', secretOf('local'));
    const sent = await fetch(localUrl, { method: 'POST', headers: { 'Content-Type': contentType }, body: form });
    const queryParameters = secretOf('forge') === undefined ? {} : { secret: [secretOf('forge')] };
    const forge = await app.praTicket({ method: 'POST', path: '/', body: form, headers: { 'content-type': [contentType] }, queryParameters });
    return { local: { status: sent.status, body: await sent.text() }, forge: { status: forge.statusCode, body: forge.body } };
  }

  /** Runs every job the bundle pushed, as Forge delivers queue events, until none is left. */
  async function runForgeJobs() {
    for (let round = 0; round < 10 && platform.queue.pushed.length > 0; round += 1) {
      const events = platform.queue.pushed.splice(0);
      for (const [i, event] of events.entries()) {
        await app.jobs({ queueName: event.queue, jobId: `job-${round}-${i}`, eventId: `event-${round}-${i}`, body: event.body }, {});
      }
    }
  }

  /** Waits until the local host's appliance has a response for `requestId`. */
  async function localAnswer(requestId) {
    for (let i = 0; i < 100; i += 1) {
      const { body } = await appliance(local, 'GET', `requests/${encodeURIComponent(requestId)}`);
      if (body?.state !== 'pending') return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the local host never answered ${requestId}`);
  }

  test('the PRA section saves the same on both hosts and shows each its URL to paste once', async () => {
    const payload = { section: 'pra', settings: SETTINGS, rotateSecret: true };
    const call = { accountId: carol, name: 'admin.save', payload, context: adminPageContext() };
    const localSaved = await bridgeInvoke(local, call);
    const forgeSaved = await forgeInvoke({ platform, handler: app.resolver }, call);
    assert.ok(localSaved.ok && forgeSaved.ok, JSON.stringify([localSaved, forgeSaved]));
    for (const [side, saved] of [['local', localSaved.value], ['forge', forgeSaved.value]]) {
      assert.equal(saved.ok, true, JSON.stringify(saved));
      const url = new URL(saved.view.urlToPaste);
      secrets[side] = url.searchParams.get('secret');
      assert.match(secrets[side], /^[0-9a-f]{64}$/);
    }
    assert.notEqual(secrets.local, secrets.forge, 'each installation has its own secret');
    const shape = (value) => ({ ...value.view, urlToPaste: Boolean(value.view.urlToPaste), triggerUrl: Boolean(value.view.triggerUrl) });
    assert.deepEqual(shape(forgeSaved.value), shape(localSaved.value));
    const view = await forgeInvoke({ platform, handler: app.resolver }, { ...call, name: 'admin.config', payload: { section: 'pra' } });
    assert.equal(view.value.view.urlToPaste, null, 'shown once');
    assert.equal(JSON.stringify(view.value).includes(secrets.forge), false);
  });

  test('an OPS change ticket assigned to Bob and In Progress: allowed the same way, audited on both', async () => {
    for (const host of [local, forgeSide]) {
      const made = await asCarol(host, 'POST', '/rest/api/3/issue', { fields: {
        project: { key: 'OPS' }, issuetype: { id: '10002' }, summary: 'Patch the web tier',
        assignee: { accountId: BOB }, customfield_10050: ['web-01'] } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.key, 'OPS-1');
      const moved = await asCarol(host, 'POST', '/rest/api/3/issue/OPS-1/transitions', { transition: { id: '51' } });
      assert.equal(moved.status, 204);
    }
    const requestId = 'parity-allow-0001';
    const forms = [];
    for (const host of [local, forgeSide]) {
      const made = await appliance(host, 'POST', 'requests', { requestId, ticketId: 'OPS-1' });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      forms.push(made.body.form);
    }
    assert.equal(forms[0], forms[1]);
    const answers = await sendBoth(forms[0]);
    assert.equal(answers.local.status, 202, answers.local.body);
    assert.deepEqual(answers.forge, answers.local);
    assert.equal(JSON.parse(answers.forge.body).requestId, requestId);

    await runForgeJobs();
    const localSide = await localAnswer(requestId);
    const forgeAnswer = (await appliance(forgeSide, 'GET', `requests/${requestId}`)).body;
    assert.equal(localSide.state, 'answered', JSON.stringify(localSide));
    assert.deepEqual(masked(forgeAnswer.response, [forgeSide.base]), masked(localSide.response, [local.base]));
    assert.equal(localSide.response.response, 'allow');
    assert.deepEqual(localSide.response.sessionCustom, { jira_issue: 'OPS-1', jira_summary: 'Patch the web tier' });

    const notes = [];
    for (const host of [local, forgeSide]) {
      const property = await asCarol(host, 'GET', '/rest/api/3/issue/OPS-1/properties/pam-approvals.pra');
      assert.equal(property.status, 200);
      assert.equal(property.body.value.requests[0].decision, 'allow');
      const comments = await asCarol(host, 'GET', '/rest/api/3/issue/OPS-1/comment');
      assert.equal(comments.body.total, 1);
      notes.push(JSON.stringify(comments.body.comments[0].body));
    }
    assert.equal(notes[1], notes[0]);
  });

  test('a duplicate delivery is 202 on both and answers the appliance once', async () => {
    const requestId = 'parity-allow-0001';
    const { body } = await appliance(local, 'GET', `requests/${requestId}`);
    const form = new URLSearchParams(Object.entries(body.json)).toString();
    const answers = await sendBoth(form);
    assert.equal(answers.local.status, 202);
    assert.deepEqual(answers.forge, answers.local);
    assert.equal(JSON.parse(answers.forge.body).duplicate, true);
    await runForgeJobs();
    for (const host of [local, forgeSide]) {
      const responses = (await appliance(host, 'GET', 'responses')).body;
      assert.equal(responses.filter((r) => r.requestId === requestId).length, 1);
    }
  });

  test('a ticket outside the allowed projects is denied the same way', async () => {
    const requestId = 'parity-deny-0001';
    let form;
    for (const host of [local, forgeSide]) {
      form = (await appliance(host, 'POST', 'requests', { requestId, ticketId: 'PMCJIT-1' })).body.form;
    }
    const answers = await sendBoth(form);
    assert.deepEqual(answers.forge, answers.local);
    await runForgeJobs();
    const localSide = await localAnswer(requestId);
    const forgeAnswer = (await appliance(forgeSide, 'GET', `requests/${requestId}`)).body;
    assert.deepEqual(masked(forgeAnswer.response), masked(localSide.response));
    assert.equal(localSide.response.message, 'Ticket PMCJIT-1 is not in a project that grants access (OPS).');
  });

  test('bad requests: the same 401 and 400 on both, and nothing kept', async () => {
    const form = 'request_id=r-bad&ticket_id=OPS-1&response_url=https%3A%2F%2Fevil.example%2Fapi%2Fendpoint_approval';
    const cases = [
      [{ secretOf: () => undefined }, 401],
      [{ secretOf: () => 'f'.repeat(64) }, 401],
      [{}, 400],
      [{ contentType: 'text/plain' }, 400],
    ];
    const pushedBefore = platform.queue.pushed.length;
    for (const [options, status] of cases) {
      const answers = await sendBoth(form, options);
      assert.equal(answers.local.status, status, answers.local.body);
      assert.deepEqual(answers.forge, answers.local);
      for (const secret of Object.values(secrets)) assert.equal(answers.forge.body.includes(secret), false);
    }
    assert.equal(platform.queue.pushed.length, pushedBefore);
  });
});
