// The configuration page's PRA section in Chromium, against a stand-in host whose answers are
// real answers of the core (tests/browser/fixtures/admin-pra-*.json, made by
// ui/tests/admin_pra_fixtures.rs): shown when EPM's answer names it, filled in and checked before
// anything is sent, saved, the URL to paste shown once with Copy and gone after a reload,
// "Generate a new URL" asked first, a refusal next to its field, and its validation results.
// Needs scripts/build-ui.sh.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { pageBench } from './support/bench.mjs';
import { screenshot, watchProblems } from './support/browser.mjs';
import { answerByName, bySection, fixture } from './support/page-server.mjs';
import { ADMIN_BUILD } from './support/paths.mjs';

const URL_WARNING =
  'Copy it now: it is not shown again. Paste it into PRA: /login → Jump → Jump Policies → Ticket System URL.';

const bench = pageBench(ADMIN_BUILD);

/** Resolver answers by name and section; a test sets PRA's. */
let answers;
const epm = (name) => () => fixture(name);
function answerPra({ config = 'admin-pra-config', save, validate } = {}) {
  answers = answerByName(bench.server, {
    'admin.config': bySection(epm('admin-config'), () => fixture(config)),
    'admin.save': bySection(epm('admin-saved'), () => fixture(save)),
    'admin.validate': bySection(epm('admin-validate'), () => fixture(validate)),
  });
}
beforeEach(() => answerPra());

async function open() {
  const page = await bench.browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(bench.server.adminUrl());
  await page.locator('#pra-form:not([hidden])').waitFor();
  return { page, problems };
}

const praCalls = (name) => bench.server.state.calls.filter((c) => c.functionKey === name && c.payload.section === 'pra');
const focusedId = (page) => page.evaluate(() => document.activeElement?.id);
const savePra = (page) => page.getByRole('button', { name: 'Save PRA settings' }).click();

describe('configuration page, PRA section', () => {
  test('fills the section in, saves, shows the URL to paste once with Copy, and not after a reload', async () => {
    answerPra({ save: 'admin-pra-saved' });
    const { page, problems } = await open();
    const view = fixture('admin-pra-config').view;
    assert.deepEqual(praCalls('admin.config')[0].payload, { section: 'pra' });
    // The stored settings (the defaults), the rules in the core's order with its titles.
    assert.deepEqual(
      await page.locator('#pra-rule-list label').allTextContents(),
      view.rules.map((r) => ` ${r.title}`),
    );
    for (const rule of view.rules) {
      assert.equal(await page.getByLabel(rule.title).isChecked(), view.settings.rules[rule.key], rule.key);
    }
    assert.equal(await page.getByLabel('Allowed statuses').inputValue(), 'In Progress, Approved');
    assert.equal(await page.getByLabel('Requester field').inputValue(), 'assignee');
    assert.equal(await page.getByLabel('Enable PRA').isChecked(), false);
    assert.equal(await page.locator('#pra-trigger-url').inputValue(), view.triggerUrl);
    assert.match(await page.locator('#pra-secret-status').textContent(), /^Not set yet/);
    assert.match(await page.locator('#pra-egress').textContent(), /only \*\.beyondtrustcloud\.com/);
    assert.equal(await page.locator('#pra-url-box').isVisible(), false);
    assert.equal(await page.locator('#pra-sessionAttributes').isVisible(), false, 'no rows yet');

    // The core's check runs first: enabling needs the appliance host.
    await page.getByLabel('Enable PRA').check();
    await savePra(page);
    await page.locator('#pra-applianceHost-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#pra-applianceHost-error').textContent(), 'is required to enable PRA');
    assert.equal(await page.locator('#pra-notice-title').textContent(), '1 setting needs attention; nothing was saved.');
    assert.equal(await page.getByLabel('Appliance host').getAttribute('aria-invalid'), 'true');
    assert.equal(await focusedId(page), 'pra-applianceHost');
    assert.equal(praCalls('admin.save').length, 0, 'nothing is sent');

    await page.getByLabel('Appliance host').fill(' ACME.BeyondTrustCloud.com ');
    assert.equal(await page.locator('#pra-applianceHost-error').isVisible(), false);
    await page.getByLabel('Treat the ticket ID as sensitive').check();
    await page.getByLabel('The Jump Item is listed on the issue').check();
    await page.getByLabel("Now is inside the issue's change window").check();
    await page.getByLabel('Allowed projects').fill('pmcjit, OPS');
    assert.equal(await page.getByLabel('Jump Item custom field ID').isVisible(), false);
    await page.getByLabel('Jump Item field').selectOption('custom');
    await page.getByLabel('Jump Item custom field ID').fill('customfield_10050');
    await page.getByLabel('Change window start field').fill('customfield_10051');
    await page.getByLabel('Change window end field').fill('customfield_10052');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    assert.equal(await focusedId(page), 'pra-attribute-0-code', 'focus on the new row');
    await page.keyboard.type('jira_issue');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByLabel('Code name of attribute 2').fill('change_end');
    await page.getByLabel('Value of attribute 2').selectOption('windowEnd');
    assert.equal(await page.getByLabel('Custom field ID of attribute 2').isVisible(), false);
    await page.locator('#pra-add-attribute').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-pra-filled', { fullPage: false });
    await savePra(page);
    await page.locator('#pra-url-box:not([hidden])').waitFor();

    const saved = fixture('admin-pra-saved').view;
    assert.deepEqual(praCalls('admin.save')[0].payload, { section: 'pra', settings: saved.settings, rotateSecret: false });
    assert.equal(await page.locator('#pra-url').inputValue(), saved.urlToPaste);
    assert.equal(await page.locator('#pra-url-warning').textContent(), URL_WARNING);
    assert.equal(await focusedId(page), 'pra-url-box', 'focus on what must be copied now');
    assert.equal(await page.locator('#pra-notice-title').textContent(), 'Saved.');
    assert.match(await page.locator('#pra-secret-status').textContent(), /^Set\./);
    assert.equal(await page.getByLabel('Appliance host').inputValue(), 'acme.beyondtrustcloud.com');
    assert.equal(await page.locator('#notice').isVisible(), false, "EPM's notice is not PRA's");

    await bench.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(bench.server.adminUrl()).origin,
    });
    await page.locator('#pra-url-copy').click();
    await page.locator('#pra-url-copy-status:not([hidden])').waitFor();
    assert.equal(await page.locator('#pra-url-copy-status').textContent(), 'Copied to the clipboard.');
    assert.equal(await page.locator('#pra-url-copy').textContent(), 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), saved.urlToPaste);
    await bench.browser.context.clearPermissions();
    await page.locator('#pra-url-box').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-pra-url-to-paste', { fullPage: false });

    // Reloaded, the page has what was stored, and the secret nowhere.
    answers['admin.config'] = bySection(epm('admin-config'), () => fixture('admin-pra-config-set'));
    await page.reload();
    await page.locator('#pra-form:not([hidden])').waitFor();
    assert.equal(await page.locator('#pra-url-box').isVisible(), false);
    assert.equal(await page.locator('#pra-url').inputValue(), '');
    assert.ok(!(await page.content()).includes(saved.urlToPaste.split('secret=')[1]), 'the secret is gone');
    assert.match(await page.locator('#pra-secret-status').textContent(), /^Set\./);
    assert.equal(await page.getByLabel('Code name of attribute 2').inputValue(), 'change_end');
    assert.equal(await page.getByLabel('Jump Item custom field ID').inputValue(), 'customfield_10050');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Generate a new URL asks first; the new URL is shown once', async () => {
    answerPra({ config: 'admin-pra-config-set', save: 'admin-pra-rotated' });
    const { page, problems } = await open();
    const rotate = page.getByRole('button', { name: 'Generate a new URL' });
    await rotate.click();
    await page.locator('#pra-rotate-confirm:not([hidden])').waitFor();
    assert.deepEqual(await page.locator('#pra-rotate-lines li').allTextContents(), [
      'The current URL stops working at once.',
    ]);
    assert.equal(await rotate.getAttribute('aria-expanded'), 'true');
    assert.equal(await focusedId(page), 'pra-rotate-no', 'the safe answer has the focus');
    await screenshot(page, 'admin-pra-rotate-confirm', { fullPage: false });
    await page.getByRole('button', { name: 'Keep the current URL' }).click();
    assert.equal(await page.locator('#pra-rotate-confirm').isVisible(), false);
    assert.equal(await focusedId(page), 'pra-rotate');
    await rotate.click();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#pra-rotate-confirm').isVisible(), false);
    assert.equal(praCalls('admin.save').length, 0);

    await rotate.click();
    await page.getByRole('button', { name: 'Generate the new URL' }).click();
    await page.locator('#pra-url-box:not([hidden])').waitFor();
    const [call] = praCalls('admin.save');
    assert.equal(call.payload.rotateSecret, true);
    assert.deepEqual(call.payload.settings, fixture('admin-pra-config-set').view.settings);
    assert.equal(await page.locator('#pra-url').inputValue(), fixture('admin-pra-rotated').view.urlToPaste);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a refusal marks its field; Validate lists PRA's checks", async () => {
    answerPra({ config: 'admin-pra-config-set', save: 'admin-pra-save-invalid', validate: 'admin-pra-validate-failing' });
    const { page, problems } = await open();
    await savePra(page);
    await page.locator('#pra-applianceHost-error:not([hidden])').waitFor();
    const refusal = fixture('admin-pra-save-invalid').error;
    assert.equal(await page.locator('#pra-notice-title').textContent(), refusal.message);
    assert.equal(await page.locator('#pra-applianceHost-error').textContent(), refusal.fields.applianceHost);
    assert.equal(await focusedId(page), 'pra-applianceHost');

    await page.getByRole('button', { name: 'Validate PRA configuration' }).click();
    await page.locator('#pra-checks:not([hidden])').waitFor();
    assert.deepEqual(praCalls('admin.validate')[0].payload, { section: 'pra' });
    assert.equal(await focusedId(page), 'pra-checks');
    assert.equal(await page.locator('#pra-checks-summary').textContent(), '5 passed, 2 failed, 1 warning');
    const checks = fixture('admin-pra-validate-failing').checks;
    const rows = page.locator('#pra-check-list .check');
    assert.equal(await rows.count(), checks.length);
    assert.equal(await rows.nth(0).locator('.badge').textContent(), 'Warning');
    assert.equal(await rows.nth(0).locator('.check-title').textContent(), checks[0].title);
    assert.equal(await page.locator('#checks').isVisible(), false, "EPM's results are EPM's");
    await page.locator('#pra-checks').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-pra-validate', { fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a build without PRA settings shows no PRA section', async () => {
    const epmOnly = { ...fixture('admin-config'), sections: ['epm'] };
    answers['admin.config'] = () => epmOnly;
    const page = await bench.browser.context.newPage();
    const problems = await watchProblems(page);
    await page.goto(bench.server.adminUrl());
    await page.locator('#config-form:not([hidden])').waitFor();
    assert.equal(await page.locator('#pra').isVisible(), false);
    assert.equal(bench.server.state.calls.length, 1, 'only EPM is asked');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
