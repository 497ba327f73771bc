// End to end on the real local host: Carol (a Jira administrator) opens the app's configuration
// page in the sandbox Jira (the WebAssembly page in its frame, through POST /bridge/invoke and the
// core's admin.* resolvers), changes the summary template and the webhook password, saves, and
// the reload shows the change with the password write-only; EPM's next webhook must use the new
// password and gets the new summary; Validate configuration checks the live sandbox; a bad
// project key is refused next to its field; Alice (not an admin) gets only the refusal. Then the
// PRA section: the settings sandbox mode gave it, and a new URL shown once, which the host's web
// trigger accepts; after a reload it is gone, and the next one retires it. Needs scripts/build-ui.sh; builds the host
// itself (cargo build -p pam-approvals-host).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startHost } from '../forge/support/local-host.mjs';
import { launch, screenshot, watchProblems } from './support/browser.mjs';
import { ADMIN_BUILD, SAMPLE } from './support/paths.mjs';

const CAROL = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004';
const ALICE = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002';
const CONFIGURE = '/plugins/servlet/pam-approvals/configure';
const SUMMARY = 'JIT access: %%User%% on %%HostName%%';
const PASSWORD = 'e2e-rotated-webhook-password';
const SET = 'Set — leave blank to keep';

let browser;
let host;

before(async () => {
  assert.ok(
    existsSync(path.join(ADMIN_BUILD, 'pam_approvals_ui_bg.wasm')),
    `the page is not built (${ADMIN_BUILD}): run scripts/build-ui.sh`,
  );
  host = await startHost();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

/** Signs in as `accountId` with the sandbox's *Signed in as* cookie. */
async function signIn(accountId) {
  await browser.context.clearCookies();
  await browser.context.addCookies([{ name: 'pam_sandbox_user', value: accountId, url: host.base }]);
}

/** Opens the configuration page as Jira shows it (Apps › Manage apps › Configure); resolves to
 * {page, frame, problems} once the app's page has answered. */
async function openConfiguration() {
  const page = await browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(`${host.jiraBase}${CONFIGURE}`);
  const frame = page.frameLocator('iframe.admin-frame');
  await frame.locator('#config-form:not([hidden]), #forbidden:not([hidden]), #notice:not([hidden])').first().waitFor();
  return { page, frame, problems };
}

/** Posts the sample "ticket created" webhook with these credentials. */
async function postWebhook(user, password) {
  const response = await fetch(host.webTrigger, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    },
    body: readFileSync(SAMPLE, 'utf8'),
  });
  return { status: response.status, body: await response.text() };
}

test('a Jira admin changes the configuration in the sandbox Jira; others are refused', { timeout: 240_000 }, async () => {
  await signIn(CAROL);
  const { page, frame, problems } = await openConfiguration();
  assert.equal(await frame.locator('#forbidden').isVisible(), false);
  // The host tells the page its own web trigger URL, the one EPM posts to.
  assert.equal(await frame.locator('#copy-url-0').inputValue(), host.webTrigger);
  assert.equal(await frame.getByLabel('Username', { exact: true }).inputValue(), host.user);
  assert.equal(await frame.getByLabel('Password', { exact: true }).inputValue(), '');
  assert.equal(await frame.getByLabel('Password', { exact: true }).getAttribute('placeholder'), SET);
  assert.equal(await frame.getByLabel('Client secret').getAttribute('placeholder'), SET);

  await frame.getByLabel('Summary template').fill(SUMMARY);
  await frame.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await screenshot(page, 'admin-e2e-1-form', { fullPage: false });
  await frame.getByRole('button', { name: 'Save', exact: true }).click();
  await frame.locator('.notice-success').waitFor({ timeout: 30_000 });
  assert.equal(await frame.locator('#notice-title').textContent(), 'Saved.');
  assert.equal(await frame.getByLabel('Password', { exact: true }).inputValue(), '');
  await screenshot(page, 'admin-e2e-2-saved', { fullPage: false });

  // The reload reads what was stored.
  await page.reload();
  await frame.locator('#config-form:not([hidden])').waitFor();
  assert.equal(await frame.getByLabel('Summary template').inputValue(), SUMMARY);
  const password = frame.getByLabel('Password', { exact: true });
  assert.equal(await password.inputValue(), '', 'write-only: blank after reload');
  assert.equal(await password.getAttribute('placeholder'), SET);

  // EPM must now send the new password, and the new template names the issue.
  assert.equal((await postWebhook(host.user, host.password)).status, 401, 'the old password is refused');
  const created = await postWebhook(host.user, PASSWORD);
  assert.equal(created.status, 201, created.body);
  const { issueKey } = JSON.parse(created.body);
  const issues = await fetch(`${host.jiraBase}/_sandbox/issues`).then((r) => r.json());
  const issue = issues.find((i) => i.key === issueKey);
  assert.equal(issue?.fields?.summary, 'JIT access: CORP\\bob on FIN-LT-0042');

  // Validate configuration checks the saved settings against the sandbox Jira and EPM.
  await frame.getByRole('button', { name: 'Validate configuration' }).click();
  await frame.locator('#checks:not([hidden])').waitFor({ timeout: 60_000 });
  const rows = frame.locator('#check-list .check');
  const checks = await rows.evaluateAll((items) =>
    items.map((item) => [item.dataset.check, item.querySelector('.badge').textContent, item.innerText]),
  );
  assert.ok(checks.length >= 8, JSON.stringify(checks));
  const failing = checks.filter(([, badge]) => badge !== 'Pass');
  assert.deepEqual(failing, [], 'every check passes on the sandbox');
  assert.match(await frame.locator('#checks-summary').textContent(), new RegExp(`^${checks.length} passed, 0 failed$`));
  await frame.locator('#checks').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-e2e-3-validate', { fullPage: false });

  // A bad project key is refused next to its field, before anything is sent.
  await frame.getByLabel('Project key').fill('pam jit');
  await frame.getByRole('button', { name: 'Save', exact: true }).click();
  await frame.locator('#projectKey-error:not([hidden])').waitFor();
  assert.match(await frame.locator('#projectKey-error').textContent(), /upper-case Jira project key/);
  assert.equal(await frame.getByLabel('Project key').getAttribute('aria-invalid'), 'true');
  await frame.getByLabel('Project key').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-e2e-4-bad-project-key', { fullPage: false });
  await page.reload();
  await frame.locator('#config-form:not([hidden])').waitFor();
  assert.equal(await frame.getByLabel('Project key').inputValue(), 'PMCJIT', 'nothing was saved');
  assert.deepEqual(problems, []);
  await page.close();

  // Alice is not a Jira administrator: the app shows her nothing of the configuration.
  await signIn(ALICE);
  const alice = await openConfiguration();
  await alice.frame.locator('#forbidden:not([hidden])').waitFor();
  assert.match(
    await alice.frame.locator('#forbidden-message').textContent(),
    /^Only Jira administrators can view or change/,
  );
  assert.equal(await alice.frame.locator('#config-form').isVisible(), false);
  assert.equal(await alice.frame.locator('#webhook').isVisible(), false);
  await screenshot(alice.page, 'admin-e2e-5-forbidden', { fullPage: false });
  assert.deepEqual(alice.problems, []);
  await alice.page.close();
});

/** Posts an empty form to a PRA ticket URL: 401 for a wrong secret, else 400 (no request id). */
async function postPra(url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  return response.status;
}

test("the PRA section on the real host: the sandbox's settings; a new URL shown once, accepted by the web trigger", { timeout: 120_000 }, async () => {
  await signIn(CAROL);
  const { page, frame, problems } = await openConfiguration();
  await frame.locator('#pra-form:not([hidden])').waitFor();
  // What sandbox mode configured at its first start (host/src/sandbox_mode.rs).
  const trigger = `${host.base}/x/pra-ticket`;
  assert.equal(await frame.locator('#pra-trigger-url').inputValue(), trigger);
  assert.match(await frame.locator('#pra-secret-status').textContent(), /^Set\./);
  assert.equal(await frame.locator('#pra-url-box').isVisible(), false, 'the URL with its secret is not shown');
  assert.equal(await frame.getByLabel('Enable PRA').isChecked(), true);
  assert.equal(await frame.getByLabel('Appliance host').inputValue(), 'pra.sandbox.test');
  assert.equal(await frame.getByLabel('Allowed projects').inputValue(), 'OPS');
  assert.equal(await frame.getByLabel('The Jump Item is listed on the issue').isChecked(), true);
  assert.equal(await frame.getByLabel('Jump Item custom field ID').inputValue(), 'customfield_10050');
  assert.equal(await frame.getByLabel('Code name of attribute 2').inputValue(), 'jira_url');

  await frame.getByRole('button', { name: 'Generate a new URL' }).click();
  await frame.getByRole('button', { name: 'Generate the new URL' }).click();
  await frame.locator('#pra-url-box:not([hidden])').waitFor({ timeout: 30_000 });
  const url = await frame.locator('#pra-url').inputValue();
  assert.ok(url.startsWith(`${trigger}?secret=`), url);
  assert.equal(await postPra(url), 400, 'the secret is accepted');
  assert.equal(await postPra(`${trigger}?secret=wrong`), 401);
  await frame.locator('#pra-url-box').scrollIntoViewIfNeeded();
  await screenshot(page, 'admin-e2e-6-pra-url', { fullPage: false });

  await page.reload();
  await frame.locator('#pra-form:not([hidden])').waitFor();
  assert.equal(await frame.locator('#pra-url-box').isVisible(), false, 'shown once');
  assert.match(await frame.locator('#pra-secret-status').textContent(), /^Set\./);

  await frame.getByRole('button', { name: 'Generate a new URL' }).click();
  await frame.getByRole('button', { name: 'Generate the new URL' }).click();
  await frame.locator('#pra-url-box:not([hidden])').waitFor({ timeout: 30_000 });
  const fresh = await frame.locator('#pra-url').inputValue();
  assert.notEqual(fresh, url);
  assert.equal(await postPra(url), 401, 'the old URL stopped working');
  assert.equal(await postPra(fresh), 400);
  assert.deepEqual(problems, []);
  await page.close();
});
