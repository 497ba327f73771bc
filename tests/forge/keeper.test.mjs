// Keeper on the Forge bundle and on the local host: the same Keeper section saved on the
// configuration page (each host generates its own alert token and shows it once), the same alert
// answered the same way by `keeper-alert` (201 and the issue; 401 and 400 for bad ones), and the
// same KEPM request read live and approved through each host's sandbox Commander (the bundle's is
// the second local host's, `keeper.sandbox.test` routed there), recorded the same on the issue.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminPageContext, bridgeInvoke, forgeInvoke } from './support/invoke.mjs';
import { startParity } from './support/parity.mjs';

/** The sandbox Commander's seeded pending request of Alice's (sandboxes/src/keeper/seed.rs). */
const UID = 'hoPd_gmQH1WsmbzgOMSimg';
const SETTINGS = {
  enabled: true,
  apiUrl: 'https://keeper.sandbox.test/api/v2',
  projectKey: 'OPS',
  issueTypeName: 'Task',
};
const ALERT = JSON.stringify({
  alert_name: 'Agent created approval request',
  username: 'alice@example.com',
  json: { audit_event: 'approval_request_created', username: 'alice@example.com', request_uid: UID },
});

describe('Keeper on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-keeper-'));
  let local;
  let forgeSide;
  let platform;
  let app;
  let stop;
  let carol;
  const tokens = {};

  before(async () => {
    ({ local, forgeSide, platform, app, stop } = await startParity(outDir));
    carol = await platform.signIn('carol@example.com');
  });
  after(async () => {
    await stop?.();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** Sends `body` to the local host's web trigger and to the bundle's `keeperAlert`, each with
   * `authorization(side)`; {local, forge} as {status, body}. */
  async function sendBoth(body, authorization = (side) => `Bearer ${tokens[side]}`) {
    const headers = (side) => (authorization(side) === undefined ? {} : { Authorization: authorization(side) });
    const sent = await fetch(`${local.base}/x/keeper-alert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers('local') },
      body,
    });
    const forgeHeaders = { 'content-type': ['application/json'] };
    if (authorization('forge') !== undefined) forgeHeaders.authorization = [authorization('forge')];
    const forge = await app.keeperAlert({ method: 'POST', path: '/', body, headers: forgeHeaders, queryParameters: {} });
    return { local: { status: sent.status, body: await sent.text() }, forge: { status: forge.statusCode, body: forge.body } };
  }

  /** The panel's resolver on both hosts, as Carol: {local, forge} values. */
  async function panelBoth(name, issueKey, payload = {}) {
    const context = { extension: { type: 'jira:issuePanel', issue: { key: issueKey } } };
    const call = { accountId: carol, name, payload, context };
    const localAnswer = await bridgeInvoke(local, call);
    const forgeAnswer = await forgeInvoke({ platform, handler: app.resolver }, call);
    assert.ok(localAnswer.ok && forgeAnswer.ok, JSON.stringify([localAnswer, forgeAnswer]));
    return { local: localAnswer.value, forge: forgeAnswer.value };
  }

  /** A view without what differs by time and host: the clocks, Keeper's creation time. */
  function timeless(value) {
    return JSON.parse(JSON.stringify(value, (key, v) => (['now', 'expiresAt', 'at', 'created'].includes(key) ? typeof v : v)));
  }

  test('the Keeper section saves the same on both hosts and shows each its token once', async () => {
    const payload = { section: 'keeper', settings: SETTINGS, apiKey: 'sandbox-keeper-api-key', rotateToken: true };
    const call = { accountId: carol, name: 'admin.save', payload, context: adminPageContext() };
    const localSaved = await bridgeInvoke(local, call);
    const forgeSaved = await forgeInvoke({ platform, handler: app.resolver }, call);
    assert.ok(localSaved.ok && forgeSaved.ok, JSON.stringify([localSaved, forgeSaved]));
    for (const [side, saved] of [['local', localSaved.value], ['forge', forgeSaved.value]]) {
      assert.equal(saved.ok, true, JSON.stringify(saved));
      tokens[side] = saved.view.tokenToPaste;
      assert.match(tokens[side], /^[0-9a-f]{64}$/);
    }
    assert.notEqual(tokens.local, tokens.forge, 'each installation has its own token');
    const shape = (value) => ({ ...value.view, tokenToPaste: Boolean(value.view.tokenToPaste), authorization: Boolean(value.view.authorization), triggerUrl: Boolean(value.view.triggerUrl) });
    assert.deepEqual(shape(forgeSaved.value), shape(localSaved.value));
    const view = await forgeInvoke({ platform, handler: app.resolver }, { ...call, name: 'admin.config', payload: { section: 'keeper' } });
    assert.equal(view.value.view.tokenToPaste, null, 'shown once');
    assert.equal(JSON.stringify(view.value).includes(tokens.forge), false);
    assert.equal(JSON.stringify(view.value).includes('sandbox-keeper-api-key'), false, 'the API key is never shown');
  });

  test('an alert becomes the same issue on both, and a retry finds it', async () => {
    const first = await sendBoth(ALERT);
    assert.equal(first.local.status, 201, first.local.body);
    assert.deepEqual(first.forge, first.local);
    assert.deepEqual(JSON.parse(first.forge.body), { created: true, issueKey: 'OPS-1' });
    const again = await sendBoth(ALERT);
    assert.equal(again.local.status, 200, again.local.body);
    assert.deepEqual(again.forge, again.local);
  });

  test('the panel reads the request live and Carol approves it the same way through each Commander', async () => {
    const shown = await panelBoth('keeper.request', 'OPS-1');
    assert.equal(shown.local.view.live, 'current', JSON.stringify(shown.local));
    assert.equal(shown.local.view.canDecide, true);
    assert.deepEqual(timeless(shown.forge), timeless(shown.local));
    const decided = await panelBoth('keeper.decide', 'OPS-1', { decision: 'approve' });
    assert.equal(decided.local.view.outcome.result, 'approved', JSON.stringify(decided.local));
    assert.deepEqual(timeless(decided.forge), timeless(decided.local));
    for (const host of [local, forgeSide]) {
      const state = await (await fetch(`${host.base}/sandbox/keeper/_sandbox/state`)).json();
      assert.equal(state.kepm.find((r) => r.uid === UID).status, 'Approved');
    }
  });

  test('bad alerts: the same 401 and 400 on both, and nothing made', async () => {
    const cases = [
      [ALERT, () => undefined, 401],
      [ALERT, () => `Bearer ${'f'.repeat(64)}`, 401],
      ['{', (side) => `Bearer ${tokens[side]}`, 400],
      [JSON.stringify({ json: { audit_event: 'approval_request_created', request_uid: `${UID}; rm -rf /` } }), (side) => `Bearer ${tokens[side]}`, 400],
    ];
    for (const [body, authorization, status] of cases) {
      const answers = await sendBoth(body, authorization);
      assert.equal(answers.local.status, status, answers.local.body);
      assert.deepEqual(answers.forge, answers.local);
    }
  });
});
