// End to end on the real local host: an EPM webhook creates the issue, an approver opens it in
// the sandbox Jira, clicks "Manage JIT Access Request", approves for 4 hours in the page (the
// WebAssembly UI in the modal iframe, through POST /bridge/invoke, the core's resolvers and the
// sandbox EPM), and the reloaded issue shows the new status and the internal note.
// Needs scripts/build-ui.sh; builds the host itself (cargo build -p pam-approvals-host).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startHost } from '../forge/support/local-host.mjs';
import { launch, screenshot, watchProblems } from './support/browser.mjs';
import { createIssue } from './support/webhook.mjs';
import { BUILD } from './support/paths.mjs';

const ACTION = 'Manage JIT Access Request';
const MESSAGE = 'OK for the quarterly tax update, 4 hours';
const RESULT = 'Approved for 4 hours. EPM has the decision; the note and status are on the issue.';

let browser;
let host;

before(async () => {
  assert.ok(
    existsSync(path.join(BUILD, 'pam_approvals_ui_bg.wasm')),
    `the page is not built (${BUILD}): run scripts/build-ui.sh`,
  );
  host = await startHost();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

test('an approver approves a request for 4 hours from the sandbox issue page', { timeout: 180_000 }, async () => {
  const key = await createIssue(host);
  const page = await browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(`${host.jiraBase}/browse/${key}`);

  const action = page.getByRole('button', { name: ACTION });
  assert.equal(await action.count(), 1, `the sandbox issue page has no "${ACTION}" button`);
  await action.click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  const frame = page.frameLocator('dialog[open] iframe');
  // Shown by the page only once epm.request answered through the host's bridge.
  await frame.locator('#state-label').filter({ hasText: 'Pending decision' }).waitFor();
  assert.equal(await frame.locator('#issue-key').textContent(), key);
  assert.equal(await frame.locator('#facts dd').first().textContent(), 'CORP\\bob');

  await frame.getByLabel('Approve').check();
  await frame.getByLabel('Unit').selectOption('hours');
  await frame.getByLabel('Number of hours').selectOption('4');
  await frame.getByLabel(/Message/).fill(MESSAGE);
  await screenshot(page, 'e2e-1-form', { fullPage: false });

  await frame.getByRole('button', { name: 'Submit decision' }).click();
  const notice = frame.locator('.notice-success');
  await notice.waitFor({ timeout: 30_000 });
  assert.equal((await notice.innerText()).replace(/\s+/g, ' ').trim(), RESULT);
  assert.match(await frame.locator('#state-label').textContent(), /^Approved until \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await screenshot(page, 'e2e-2-result', { fullPage: false });

  // Close asks the issue page to reload, so it shows what the decision recorded.
  await Promise.all([page.waitForEvent('load'), frame.getByRole('button', { name: 'Close' }).click()]);
  assert.equal(await page.locator('dialog[open]').count(), 0, 'the dialog is closed');
  const status = page.locator('dt', { hasText: /^Status$/ }).locator('xpath=following-sibling::dd[1]');
  assert.equal(await status.textContent(), 'Approved', 'the issue moved to Approved');
  const issue = await page.locator('main').innerText();
  const note = page.locator('.comment').filter({ hasText: MESSAGE });
  assert.equal(await note.count(), 1, `one note with the message:\n${issue}`);
  assert.match(await note.innerText(), /Approved by Alice Approver/);
  assert.match(await note.innerText(), /Duration: 4 hours/);
  assert.equal(await note.locator('.badge-internal').count(), 1, 'an internal note, not a public reply');
  await screenshot(page, 'e2e-3-issue-after');
  assert.deepEqual(problems, []);
  await page.close();
});
