// The "Keeper approval" issue panel in Chromium, against a stand-in host whose answers are real
// answers of the core (tests/browser/fixtures/keeper-*.json, made by ui/tests/keeper_fixtures.rs):
// a KEPM request with its live countdown approved, a device request denied, a refusal shown,
// and a decision in flight followed by polling keeper.status. Needs scripts/build-ui.sh.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { pageBench } from './support/bench.mjs';
import { screenshot, watchProblems } from './support/browser.mjs';
import { answerByName, fixture } from './support/page-server.mjs';
import { KEEPER_BUILD } from './support/paths.mjs';

const bench = pageBench(KEEPER_BUILD);

/** Resolver answers by name; a test sets its own. */
let answers;
beforeEach(() => {
  answers = answerByName(bench.server, { 'keeper.request': () => fixture('keeper-kepm-pending') });
});

/** Opens the panel; `clock`: its timers are Playwright's fake clock, which the test moves on. */
async function open({ clock = false, waitFor = '#request:not([hidden]), #notice:not([hidden])' } = {}) {
  const page = await bench.browser.context.newPage();
  const problems = await watchProblems(page);
  if (clock) await page.clock.install();
  await page.goto(bench.server.keeperUrl());
  await page.locator(waitFor).first().waitFor();
  return { page, problems };
}

const calls = (name) => bench.server.state.calls.filter((c) => c.functionKey === name);
const facts = (page) =>
  page
    .locator('#facts .fact')
    .evaluateAll((rows) => rows.map((row) => [row.querySelector('dt').textContent, row.querySelector('dd').textContent]));

describe('Keeper approval panel', () => {
  test('shows a KEPM request with its countdown and approves it', async () => {
    answers['keeper.decide'] = () => fixture('keeper-kepm-approved');
    const { page, problems } = await open({ clock: true });
    const [call] = calls('keeper.request');
    assert.deepEqual(call.context.extension, { type: 'jira:issuePanel', issue: { key: 'OPS-1' } });
    assert.equal(await page.locator('#request-title').textContent(), 'KEPM elevation request');
    assert.equal(await page.locator('#issue-key').textContent(), 'OPS-1');
    assert.equal(await page.locator('#state-label').textContent(), 'Pending');
    assert.deepEqual(await facts(page), [
      ['Requester', 'bob@example.com'],
      ['Application', 'Windows PowerShell (Microsoft)'],
      ['Justification', 'Install the printer driver'],
      ['Endpoint (agent)', 'agent-7'],
      ['Created', '2023-11-14 22:13:20 UTC'],
      ['Status in Keeper', 'Pending'],
    ]);
    // The server said 29 minutes are left; the page counts down each second.
    assert.equal(await page.locator('#countdown-time').textContent(), '29:00');
    await page.clock.runFor(5_000);
    assert.equal(await page.locator('#countdown-time').textContent(), '28:55');
    assert.equal(await page.locator('#why-not').isVisible(), false);
    await screenshot(page, 'keeper-panel-kepm', { fullPage: false });

    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#outcome:not([hidden])').waitFor();
    assert.deepEqual(calls('keeper.decide')[0].payload, { decision: 'approve' });
    assert.match(await page.locator('#notice-title').textContent(), /^Approved in Jira by Carol Admin on /);
    assert.equal(await page.locator('#state-label').textContent(), 'Approved');
    assert.match(await page.locator('#state-label').getAttribute('class'), /lozenge-approved/);
    assert.equal(await page.locator('#decision').isVisible(), false, 'decided: no buttons');
    assert.equal(await page.locator('#countdown').isVisible(), false);
    assert.equal((await facts(page)).length, 5, "Keeper's facts stay, without the status read before");
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'notice');
    await screenshot(page, 'keeper-panel-approved', { fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('when the countdown reaches zero the buttons are disabled and the server is asked again', async () => {
    const { page, problems } = await open({ clock: true });
    answers['keeper.request'] = () => fixture('keeper-kepm-expired');
    await page.clock.runFor(29 * 60_000 - 1_000);
    assert.equal(await page.locator('#countdown-time').textContent(), '0:01');
    assert.equal(await page.getByRole('button', { name: 'Approve' }).isEnabled(), true);
    await page.clock.runFor(1_000);
    await page.locator('#outcome:not([hidden])').waitFor();
    assert.equal(calls('keeper.request').length, 2);
    assert.match(await page.locator('#outcome').textContent(), /^Expired on /);
    assert.equal(await page.locator('#decision').isVisible(), false);
    assert.equal(calls('keeper.decide').length, 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('shows a device request and denies it', async () => {
    answers['keeper.request'] = () => fixture('keeper-device-pending');
    answers['keeper.decide'] = () => fixture('keeper-device-denied');
    const { page, problems } = await open();
    assert.equal(await page.locator('#request-title').textContent(), 'SSO device approval request');
    const shown = Object.fromEntries(await facts(page));
    const device = fixture('keeper-device-pending').view.devices[0];
    assert.equal(shown.Email, device.email);
    assert.equal(shown['Device name'], "Bob's laptop");
    assert.equal(shown['IP address'], device.ipAddress);
    assert.equal(await page.locator('#countdown').isVisible(), false, 'device approvals do not expire');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.locator('#outcome:not([hidden])').waitFor();
    assert.deepEqual(calls('keeper.decide')[0].payload, { decision: 'deny' });
    assert.match(await page.locator('#outcome').textContent(), /^Denied in Jira by Carol Admin/);
    assert.equal(await page.locator('#state-label').textContent(), 'Denied');
    await screenshot(page, 'keeper-panel-device-denied', { fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a refusal is shown and the request is read again; who may not decide sees why', async () => {
    answers['keeper.decide'] = () => fixture('keeper-already-decided');
    const { page, problems } = await open();
    answers['keeper.request'] = () => fixture('keeper-kepm-approved');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.locator('#outcome:not([hidden])').waitFor();
    assert.equal(await page.locator('#notice-title').textContent(), fixture('keeper-already-decided').error.message);
    assert.match(await page.locator('#notice').getAttribute('class'), /notice-warning/);
    assert.equal(await page.locator('#decision').isVisible(), false);
    await page.close();

    answers['keeper.request'] = () => fixture('keeper-kepm-not-approver');
    const other = await open();
    assert.equal(
      await other.page.locator('#why-not').textContent(),
      fixture('keeper-kepm-not-approver').view.whyNot.message,
    );
    assert.equal(await other.page.locator('#decision').isVisible(), false);
    assert.equal(await other.page.locator('#countdown').isVisible(), true);
    assert.deepEqual([...problems, ...other.problems], []);
    await other.page.close();
  });

  test('a decision in flight is followed with keeper.status until Keeper confirms it', async () => {
    answers['keeper.decide'] = () => fixture('keeper-kepm-sending');
    answers['keeper.status'] = () => fixture('keeper-status-sending');
    const { page, problems } = await open({ clock: true });
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#live-lines li').first().waitFor();
    assert.match(await page.locator('#notice-title').textContent(), /^Approval sent to Keeper/);
    assert.deepEqual(await page.locator('#live-lines li').allTextContents(), [
      'Sending the decision to Keeper…',
      'Approved sent by Carol Admin.',
      'This panel updates by itself.',
    ]);
    assert.equal(await page.locator('#decision').isVisible(), false, 'nobody decides meanwhile');
    assert.equal(calls('keeper.status').length, 0);
    await page.clock.runFor(3_000);
    await page.waitForFunction(() => true);
    await waitForCalls('keeper.status', 1);
    answers['keeper.status'] = () => fixture('keeper-status-approved');
    await page.clock.runFor(6_000);
    await page.locator('#outcome:not([hidden])').waitFor();
    assert.equal(calls('keeper.status').length, 2);
    assert.equal(await page.locator('#state-label').textContent(), 'Approved');
    assert.equal(await page.locator('#live-lines li').count(), 0);
    await page.clock.runFor(60_000);
    assert.equal(calls('keeper.status').length, 2, 'no more checks');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

async function waitForCalls(name, count) {
  for (let i = 0; i < 100 && calls(name).length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(calls(name).length, count, name);
}
