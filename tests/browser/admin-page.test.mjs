// The configuration page in Chromium, against a stand-in host whose resolver answers are real
// answers of the core (tests/browser/fixtures/admin-*.json, made by ui/tests/admin_fixtures.rs):
// what it shows, write-only secrets, Copy, the form checked before anything is sent, the save
// payload, progress, validation results, the forbidden and unavailable pages, and Forge's CSP.
// The PRA section (loaded because the answers name it) is admin-pra.test.mjs's; here it is only
// answered. Needs scripts/build-ui.sh.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { pageBench } from './support/bench.mjs';
import { screenshot, watchProblems } from './support/browser.mjs';
import { answerByName, bySection, fixture } from './support/page-server.mjs';
import { ADMIN_BUILD } from './support/paths.mjs';

const SET = 'Set — leave blank to keep';
const NEW_SUMMARY = 'JIT access: %%User%% on %%HostName%%';
const NEW_PASSWORD = 'a-new-webhook-password';
/** The PRA section's answer (the EPM fixtures say this build has one). */
const PRA = () => fixture('admin-pra-config');

const bench = pageBench(ADMIN_BUILD);

/** Resolver answers by name; a function gets the call and may delay. */
let answers;
beforeEach(() => {
  answers = answerByName(bench.server, { 'admin.config': bySection(() => fixture('admin-config'), PRA) });
});

/** Opens the page in a new tab; resolves to {page, problems} once the form or a message shows. */
async function open({ waitFor = '#config-form:not([hidden]), #notice:not([hidden]), #forbidden:not([hidden])' } = {}) {
  const page = await bench.browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(bench.server.adminUrl());
  await page.locator(waitFor).first().waitFor();
  return { page, problems };
}

const calls = (name) => bench.server.state.calls.filter((c) => c.functionKey === name);
const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const focusedId = (page) => page.evaluate(() => document.activeElement?.id);

describe('configuration page', () => {
  test('shows every setting, the secrets only as set or not set, the webhook texts and warnings', async () => {
    const { page, problems } = await open();
    const view = fixture('admin-config').view;
    const config = view.config;
    for (const [label, value] of [
      ['Service hostname', config.serviceHostname],
      ['Client ID', config.clientId],
      ['EPM API version', config.epmApiVersion],
      ['Username', view.secrets.webhookUsername],
      ['Project key', config.projectKey],
      ['Issue type name', config.issueTypeName],
      ['Summary template', config.summaryTemplate],
      ['Assignee name (optional)', config.assigneeName],
      ['Custom field ID', config.customFieldId],
      ['Labels', config.labels.join(', ')],
      ['Custom webhook URL (optional)', ''],
      ['Approved status', config.approvedStatus],
      ['Denied status', config.deniedStatus],
      ['Expired status', config.expiredStatus],
    ]) {
      assert.equal(await page.getByLabel(label, { exact: true }).inputValue(), value, label);
    }
    for (const label of ['Enable integration', 'Automatic reporter', 'JSM internal note']) {
      assert.equal(await page.getByLabel(label).isChecked(), true, label);
    }
    assert.equal(await page.getByLabel('Anyone who can transition the issue').isChecked(), true);
    assert.equal(await page.getByLabel('Group name').isVisible(), false, 'no group to name');
    assert.deepEqual(await page.getByLabel('EPM API version').locator('option').allTextContents(), ['v2', 'v3']);
    // Write-only secrets: blank inputs that say whether one is stored.
    for (const label of ['Client secret', 'Password']) {
      const input = page.getByLabel(label, { exact: true });
      assert.equal(await input.inputValue(), '', label);
      assert.equal(await input.getAttribute('type'), 'password', label);
      assert.equal(await input.getAttribute('placeholder'), SET, label);
    }
    assert.match(await page.locator('#webhookPassword-help').textContent(), /At least 12 characters\./);

    // Webhook settings: the URL to paste (emphasised) and both templates, titled by event.
    const url = page.locator('#copy-url-0');
    assert.equal(await url.inputValue(), view.webhookUrls[0].url);
    assert.equal(await page.getByLabel(view.webhookUrls[0].label).inputValue(), view.webhookUrls[0].url);
    assert.match(await page.locator('.copy-item').first().getAttribute('class'), /copy-item-primary/);
    assert.deepEqual(
      await page.locator('.copy-title').allTextContents(),
      view.templates.map((t) => t.event),
    );
    for (const template of view.templates) {
      assert.equal(await page.getByRole('textbox', { name: template.event }).inputValue(), template.body);
    }
    assert.match(await text(page.locator('.epm-settings')), /Content type: application\/json/);
    assert.match(await text(page.locator('.epm-settings')), /Authentication type: Basic/);
    assert.deepEqual(await page.locator('#warning-list li').allTextContents(), view.warnings);

    // The local bridge says what Forge would: an admin page, no issue.
    assert.deepEqual(calls('admin.config')[0].context, { extension: { type: 'jira:adminPage' } });
    assert.equal(await page.locator('#busy').isVisible(), false);
    await screenshot(page, 'admin-page-form');
    assert.deepEqual(problems, []);
    await page.close();

    // A first visit: nothing stored.
    answers['admin.config'] = bySection(() => fixture('admin-config-fresh'), PRA);
    const fresh = await open();
    for (const label of ['Client secret', 'Password']) {
      assert.equal(await fresh.page.getByLabel(label, { exact: true }).getAttribute('placeholder'), 'Not set');
    }
    assert.equal(await fresh.page.getByLabel('Enable integration').isChecked(), false);
    assert.deepEqual(
      await fresh.page.locator('#warning-list li').allTextContents(),
      fixture('admin-config-fresh').view.warnings,
    );
    await screenshot(fresh.page, 'admin-page-first-visit');
    assert.deepEqual(fresh.problems, []);
    await fresh.page.close();
  });

  test('Copy puts the URL and each template on the clipboard', async () => {
    const view = fixture('admin-config').view;
    const { page, problems } = await open();
    await bench.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(bench.server.adminUrl()).origin,
    });
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const urlButton = page.locator('#copy-url-0-button');
    assert.equal(await urlButton.textContent(), 'Copy');
    await urlButton.click();
    await page.locator('#copy-url-0-status:not([hidden])').waitFor();
    assert.equal(await page.locator('#copy-url-0-status').textContent(), 'Copied to the clipboard.');
    assert.equal(await urlButton.textContent(), 'Copied');
    assert.equal(await clipboard(), view.webhookUrls[0].url);

    const key = view.templates[1].key;
    await page.locator(`#copy-template-${key}-button`).click();
    await page.locator(`#copy-template-${key}-status:not([hidden])`).waitFor();
    assert.equal(await clipboard(), view.templates[1].body);
    assert.equal(await urlButton.textContent(), 'Copy', 'only the last copy says Copied');
    assert.equal(await page.locator('#copy-url-0-status').isVisible(), false);
    assert.equal(calls('admin.save').length, 0);
    await screenshot(page, 'admin-page-copied');
    assert.deepEqual(problems, []);
    await page.close();

    // Where the Clipboard API is refused (Jira's iframe may not allow it), the copy command on a
    // selection still copies, and focus stays on the button.
    const refused = await bench.browser.context.newPage();
    await refused.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('not allowed', 'NotAllowedError'));
    });
    await refused.goto(bench.server.adminUrl());
    await refused.locator('#config-form:not([hidden])').waitFor();
    await refused.locator('#copy-url-0-button').click();
    await refused.locator('#copy-url-0-status:not([hidden])').waitFor();
    assert.equal(await refused.locator('#copy-url-0-status').textContent(), 'Copied to the clipboard.');
    assert.equal(await refused.evaluate(() => navigator.clipboard.readText()), view.webhookUrls[0].url);
    assert.equal(await focusedId(refused), 'copy-url-0-button');
    assert.equal(await refused.locator('.copy-buffer').count(), 0, 'the helper text area is gone');
    await refused.close();
    await bench.browser.context.clearPermissions();
  });

  test('bad values show errors next to their fields and nothing is sent', async () => {
    answers['admin.save'] = () => fixture('admin-save-invalid');
    const { page, problems } = await open();
    await page.getByLabel('Project key').fill('pmc jit');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Summary template').fill('Request %%Nope%%');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#notice:not([hidden])').waitFor();

    assert.equal(await page.locator('#notice-title').textContent(), '3 settings need attention; nothing was saved.');
    assert.deepEqual(await page.locator('#notice-lines li').allTextContents(), [
      'Password: must be at least 12 characters',
      'Project key: must be an upper-case Jira project key like PMCJIT (letter first, 2-10 characters)',
      'Summary template: unknown placeholder %%Nope%%',
    ]);
    assert.equal(await page.locator('#webhookPassword-error').textContent(), 'must be at least 12 characters');
    assert.equal(await page.locator('#summaryTemplate-error').textContent(), 'unknown placeholder %%Nope%%');
    const project = page.getByLabel('Project key');
    assert.equal(await project.getAttribute('aria-invalid'), 'true');
    assert.match(await project.getAttribute('aria-describedby'), /\bprojectKey-error\b/);
    assert.match(await page.locator('#projectKey-error').textContent(), /^must be an upper-case Jira project key/);
    assert.equal(await focusedId(page), 'webhookPassword', 'focus on the first bad field');
    assert.equal(await page.locator('#clientId-error').isVisible(), false);
    assert.equal(calls('admin.save').length, 0, 'an invalid form is not sent');
    await screenshot(page, 'admin-page-errors');

    // Fixing a field clears its error; a group must be named when chosen.
    await project.fill('PMCJIT');
    assert.equal(await page.locator('#projectKey-error').isVisible(), false);
    assert.equal(await project.getAttribute('aria-invalid'), null);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Summary template').fill(NEW_SUMMARY);
    await page.getByLabel('Members of a Jira group').check();
    assert.equal(await page.getByLabel('Group name').isVisible(), true);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.match(await page.locator('#approverGroup-error').textContent(), /enter the group's name/);
    assert.equal(await focusedId(page), 'approverGroup');
    assert.equal(calls('admin.save').length, 0);
    await page.getByLabel('Anyone who can transition the issue').check();

    // What only the server can know comes back the same way.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#customFieldId-error:not([hidden])').waitFor();
    assert.equal(calls('admin.save').length, 1);
    assert.equal(await page.locator('#customFieldId-error').textContent(), 'must look like customfield_10001');
    assert.equal(await page.locator('#notice-title').textContent(), '2 settings need attention; nothing was saved.');
    assert.equal(await focusedId(page), 'projectKey');
    assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), false, 'fix, not retry');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Save sends every setting and only the secrets typed, shows progress, then Saved', async () => {
    let release;
    const released = new Promise((resolve) => {
      release = resolve;
    });
    answers['admin.save'] = async () => {
      await released;
      return fixture('admin-saved');
    };
    const { page, problems } = await open();
    await page.getByLabel('Summary template').fill(NEW_SUMMARY);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#busy:not([hidden])').waitFor();
    assert.equal(await page.locator('#busy-text').textContent(), 'Saving…');
    assert.equal(await page.locator('#save').isDisabled(), true);
    assert.equal(await page.locator('#validate').isDisabled(), true);
    assert.equal(await page.locator('#save-spinner').isVisible(), true);
    assert.equal(await page.getByLabel('Project key').isDisabled(), true, 'the form is frozen');
    assert.equal(await page.locator('#config-form').getAttribute('aria-busy'), 'true');
    await screenshot(page, 'admin-page-saving');

    const sent = calls('admin.save')[0].payload;
    assert.deepEqual(sent, {
      config: { ...fixture('admin-config').view.config, summaryTemplate: NEW_SUMMARY },
      // No key for the blank client secret or the unchanged username.
      secrets: { webhookPassword: NEW_PASSWORD },
    });

    release();
    await page.locator('.notice-success').waitFor();
    assert.equal(await page.locator('#notice-title').textContent(), 'Saved.');
    assert.equal(await focusedId(page), 'notice');
    assert.equal(await page.locator('#busy').isVisible(), false);
    assert.equal(await page.getByLabel('Summary template').inputValue(), NEW_SUMMARY);
    const password = page.getByLabel('Password', { exact: true });
    assert.equal(await password.inputValue(), '', 'the secret input is cleared');
    assert.equal(await password.getAttribute('placeholder'), SET);
    assert.equal(await page.locator('#save').isDisabled(), false);
    assert.ok(!(await page.content()).includes(NEW_PASSWORD), 'the password is nowhere in the page');
    await screenshot(page, 'admin-page-saved');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Validate configuration lists each check with its status, detail and fix', async () => {
    let release;
    let released = new Promise((resolve) => {
      release = resolve;
    });
    answers['admin.validate'] = async () => {
      await released;
      return fixture('admin-validate-failing');
    };
    const { page, problems } = await open();
    await page.getByRole('button', { name: 'Validate configuration' }).click();
    await page.locator('#busy:not([hidden])').waitFor();
    assert.equal(await page.locator('#busy-text').textContent(), 'Validating the saved configuration…');
    assert.equal(await page.locator('#validate').isDisabled(), true);
    assert.equal(await page.locator('#save').isDisabled(), true);
    release();
    await page.locator('#checks:not([hidden])').waitFor();
    assert.equal(await focusedId(page), 'checks');
    assert.equal(await page.locator('#checks-summary').textContent(), '4 passed, 2 failed, 4 skipped');
    assert.equal(await page.locator('#checks-note').isVisible(), false);
    const checks = fixture('admin-validate-failing').checks;
    const rows = page.locator('#check-list .check');
    assert.equal(await rows.count(), checks.length);
    const badges = { pass: 'Pass', fail: 'Fail', warn: 'Warning', skip: 'Skipped' };
    for (const [i, check] of checks.entries()) {
      const row = rows.nth(i);
      assert.equal(await row.locator('.check-title').textContent(), check.title);
      assert.equal(await row.locator('.badge').textContent(), badges[check.status]);
      assert.equal(await row.locator('.check-detail').textContent(), check.detail);
      assert.equal(await row.locator('.check-fix').count(), check.fix ? 1 : 0, check.id);
      if (check.fix) assert.equal(await text(row.locator('.check-fix')), `Fix: ${check.fix}`);
    }
    await screenshot(page, 'admin-page-validate');

    // With unsaved changes, the page says the results are of the saved settings.
    released = Promise.resolve();
    answers['admin.validate'] = () => fixture('admin-validate');
    await page.getByLabel('Project key').fill('OPS');
    await page.getByRole('button', { name: 'Validate configuration' }).click();
    await page.locator('#checks-note:not([hidden])').waitFor();
    assert.equal(
      await page.locator('#checks-note').textContent(),
      'Validating the saved settings; save first to include your changes.',
    );
    assert.equal(await page.locator('#checks-summary').textContent(), '11 passed, 0 failed');
    assert.equal(calls('admin.validate').length, 2);
    assert.deepEqual(calls('admin.validate')[1].payload, {});
    assert.equal(calls('admin.save').length, 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('someone who is not a Jira administrator sees why, and no form', async () => {
    answers['admin.config'] = () => fixture('admin-forbidden');
    const { page, problems } = await open();
    assert.equal(
      await page.locator('#forbidden-message').textContent(),
      fixture('admin-forbidden').error.message,
    );
    assert.match(await page.locator('#forbidden-message').textContent(), /^Only Jira administrators can view or change/);
    for (const hidden of ['#config-form', '#webhook', '#warnings', '#checks', '#busy', '#notice']) {
      assert.equal(await page.locator(hidden).isVisible(), false, hidden);
    }
    assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), false);
    await screenshot(page, 'admin-page-forbidden');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a failed load says so and Retry loads again', async () => {
    answers['admin.config'] = () => ({ status: 502, body: { error: 'Jira is down' } });
    const { page, problems } = await open();
    assert.equal(await page.locator('#notice-title').textContent(), 'The configuration could not be loaded.');
    assert.match(await page.locator('#notice-lines').textContent(), /Jira is down \(HTTP 502\)/);
    assert.equal(await page.locator('#config-form').isVisible(), false);
    await screenshot(page, 'admin-page-unavailable');
    answers['admin.config'] = () => fixture('admin-unavailable');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('#notice-lines').filter({ hasText: 'storage is down' }).waitFor();
    answers['admin.config'] = bySection(() => fixture('admin-config'), PRA);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('#config-form:not([hidden])').waitFor();
    assert.equal(await page.locator('#notice').isVisible(), false);
    assert.equal(calls('admin.config').filter((c) => !c.payload.section).length, 3);
    // The 502 itself is logged by Chromium as a failed resource; nothing else may be.
    assert.deepEqual(
      problems.filter((p) => !p.startsWith('HTTP 502')),
      [],
    );
    await page.close();
  });
});

describe('configuration page on Forge', () => {
  test('calls the admin resolvers through @forge/bridge, not the local host', async () => {
    const page = await bench.browser.context.newPage();
    const problems = await watchProblems(page);
    await page.addInitScript(
      ({ config, praConfig, saved }) => {
        window.__forgeCalls = [];
        window.__bridge = {
          callBridge: async (name, payload) => {
            window.__forgeCalls.push({ name, payload });
            if (payload.functionKey !== 'admin.config') return saved;
            return payload.payload?.section === 'pra' ? praConfig : config;
          },
        };
      },
      { config: fixture('admin-config'), praConfig: PRA(), saved: fixture('admin-saved') },
    );
    await page.goto(bench.server.adminUrl());
    await page.locator('#config-form:not([hidden])').waitFor();
    await page.getByLabel('Summary template').fill(NEW_SUMMARY);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.notice-success').waitFor();
    const forge = await page.evaluate(() => window.__forgeCalls);
    assert.deepEqual(
      forge.map((c) => [c.name, c.payload?.functionKey, c.payload?.payload?.section]),
      [
        ['invoke', 'admin.config', undefined],
        ['invoke', 'admin.config', 'pra'],
        ['invoke', 'admin.config', 'keeper'],
        ['invoke', 'admin.save', undefined],
      ],
    );
    assert.deepEqual(forge[3].payload.payload.secrets, {});
    assert.equal(bench.server.state.calls.length, 0, 'nothing went to /bridge/invoke');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe("configuration page under Forge's Content-Security-Policy", () => {
  test("runs under script-src 'self' 'unsafe-eval'; style-src 'self' with no console error or violation", async () => {
    answers['admin.validate'] = () => fixture('admin-validate');
    const { page, problems } = await open();
    const response = await page.goto(bench.server.adminUrl());
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'unsafe-eval';/);
    assert.match(csp, /style-src 'self';/);
    await page.locator('#config-form:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Validate configuration' }).click();
    await page.locator('#checks:not([hidden])').waitFor();
    // Both stylesheets applied (a blocked one would leave the form unstyled).
    const styled = await page.evaluate(() => ({
      sheets: document.styleSheets.length,
      badge: getComputedStyle(document.querySelector('.badge')).textTransform,
    }));
    assert.deepEqual(styled, { sheets: 2, badge: 'uppercase' });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
