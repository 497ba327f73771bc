// Deciding the Jira way, end to end on the real local host: an EPM webhook creates the issue;
// in the sandbox Jira's issue page, Bob (who asked) moves it to Approved with the Status
// control, and the app moves it back with a note; then Alice moves it to Approved for 4 hours,
// and the sandbox EPM has her decision while the page shows the new status and the note. The
// moves reach the app as the sandbox's issue-updated events, which the host delivers
// asynchronously, as Forge's trigger does.
// Builds the host itself (cargo build -p pam-approvals-host).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startHost } from '../forge/support/local-host.mjs';
import { launch, screenshot, watchProblems } from './support/browser.mjs';
import { createIssue } from './support/webhook.mjs';

const ALICE = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002';
const BOB = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003';

let browser;
let host;

before(async () => {
  host = await startHost();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

async function epmDecisions() {
  const response = await fetch(`${host.epmBase}/_sandbox/decisions`);
  assert.equal(response.status, 200);
  return response.json();
}

/** Reloads the page until it shows `notes` comments (the host delivers events asynchronously);
 * the comments' texts. */
async function waitForNotes(page, notes) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.reload();
    const texts = await page.locator('.comment').allInnerTexts();
    if (texts.length >= notes) return texts;
    assert.ok(Date.now() < deadline, `no note ${notes} on the page yet:\n${texts.join('\n')}`);
    await page.waitForTimeout(250);
  }
}

/** Signs `person` in to the sandbox Jira and moves the issue with the Status control. */
async function moveAs(person, key, transitionName, duration) {
  await browser.context.addCookies([{ name: 'pam_sandbox_user', value: person, url: host.base }]);
  const page = await browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(`${host.jiraBase}/browse/${key}`);
  const control = page.locator('#status-control');
  assert.equal(await control.count(), 1, 'the issue page has the Status control');
  await page.locator('#transition').selectOption({ label: transitionName });
  if (duration) {
    await page.locator('#duration').selectOption({ label: duration });
  }
  await Promise.all([page.waitForURL(`**/browse/${key}`), page.locator('#move').click()]);
  return { page, problems };
}

test('moving the issue in the sandbox Jira decides it, and the requester cannot', { timeout: 180_000 }, async () => {
  const key = await createIssue(host);

  const bob = await moveAs(BOB, key, 'Approve \u2192 Approved');
  const refused = await waitForNotes(bob.page, 1);
  assert.match(refused[0], /Not sent to EPM: Bob Requester moved this request/);
  assert.match(refused[0], /someone else has to decide it/);
  assert.match(await bob.page.locator('dd .lozenge').first().textContent(), /Open/);
  await screenshot(bob.page, 'jira-way-1-moved-back', { fullPage: false });
  assert.deepEqual(await epmDecisions(), []);
  assert.deepEqual(bob.problems, []);
  await bob.page.close();

  const alice = await moveAs(ALICE, key, 'Approve \u2192 Approved', '4 hours');
  const notes = await waitForNotes(alice.page, 2);
  assert.match(notes[1], /Approved by Alice Approver/);
  assert.match(notes[1], /by moving the issue in Jira/);
  assert.match(notes[1], /Duration: 4 hours/);
  assert.match(await alice.page.locator('dd .lozenge').first().textContent(), /Approved/);
  const decisions = await epmDecisions();
  assert.equal(decisions.length, 1, JSON.stringify(decisions));
  assert.equal(decisions[0].notification.decision, 'Approved');
  assert.equal(decisions[0].notification.duration, '14400');
  await screenshot(alice.page, 'jira-way-2-approved', { fullPage: false });
  assert.deepEqual(alice.problems, []);
  await alice.page.close();
});
