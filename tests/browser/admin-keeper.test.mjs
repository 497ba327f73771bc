// The configuration page's Keeper section in Chromium, against a stand-in host whose answers are
// real answers of the core (tests/browser/fixtures/admin-keeper-*.json, made by
// ui/tests/keeper_fixtures.rs): filled in and checked before anything is sent, saved with the
// write-only API key, the alert token shown once, "Generate a new token", a refusal next to its
// field, and "Test connection" with its checks. Needs scripts/build-ui.sh.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { pageBench } from './support/bench.mjs';
import { screenshot, watchProblems } from './support/browser.mjs';
import { answerByName, bySection, fixture } from './support/page-server.mjs';
import { ADMIN_BUILD } from './support/paths.mjs';

const bench = pageBench(ADMIN_BUILD);

/** Resolver answers by name and section; a test sets Keeper's. */
let answers;
const named = (name) => () => fixture(name);
function answerKeeper({ config = 'admin-keeper-config', save, validate } = {}) {
  answers = answerByName(bench.server, {
    'admin.config': bySection(named('admin-config'), named('admin-pra-config'), named(config)),
    'admin.save': bySection(named('admin-saved'), named('admin-pra-saved'), () => fixture(save)),
    'admin.validate': bySection(named('admin-validate'), named('admin-pra-validate'), () => fixture(validate)),
  });
}
beforeEach(() => answerKeeper());

async function open() {
  const page = await bench.browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(bench.server.adminUrl());
  await page.locator('#keeper-form:not([hidden])').waitFor();
  return { page, problems };
}

const keeperCalls = (name) =>
  bench.server.state.calls.filter((c) => c.functionKey === name && c.payload.section === 'keeper');
/** Labels are looked up in the section, which is one of three on the page. */
const section = (page) => page.locator('#keeper');
const focusedId = (page) => page.evaluate(() => document.activeElement?.id);
const saveKeeper = (page) => page.getByRole('button', { name: 'Save Keeper settings' }).click();

describe('configuration page, Keeper section', () => {
  test('fills the section in, saves with the API key, and shows the token once', async () => {
    answerKeeper({ save: 'admin-keeper-saved' });
    const { page, problems } = await open();
    const view = fixture('admin-keeper-config').view;
    assert.deepEqual(keeperCalls('admin.config')[0].payload, { section: 'keeper' });
    assert.equal(await section(page).getByLabel('Enable Keeper').isChecked(), false);
    assert.equal(await page.locator('#keeper-apiKey-status').textContent(), 'Not set');
    assert.equal(await page.locator('#keeper-trigger-url').inputValue(), view.triggerUrl);
    assert.equal(await page.locator('#keeper-template').inputValue(), view.template);
    assert.deepEqual(await page.locator('#keeper-alert-names li').allTextContents(), view.alerts);
    assert.match(await page.locator('#keeper-token-status').textContent(), /^Not set yet/);
    assert.match(await page.locator('#keeper-egress').textContent(), /only \*\.ngrok\.io/);
    assert.equal(await page.locator('#keeper-token-box').isVisible(), false);
    assert.equal(await section(page).getByLabel("Deciders' group").isVisible(), false);

    // The core's check runs first: enabling needs the URL.
    await section(page).getByLabel('Enable Keeper').check();
    await saveKeeper(page);
    await page.locator('#keeper-apiUrl-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#keeper-apiUrl-error').textContent(), 'is required to enable Keeper');
    assert.equal(await section(page).getByLabel('Commander API URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await focusedId(page), 'keeper-apiUrl');
    assert.equal(keeperCalls('admin.save').length, 0, 'nothing is sent');

    await section(page).getByLabel('Commander API URL').fill('https://keeper-test.ngrok.io/api/v2');
    await section(page).getByLabel("Keeper issues' project").fill('ops');
    await section(page).getByLabel('Who may decide').selectOption('group');
    await section(page).getByLabel("Deciders' group").fill('pam-approvers');
    await saveKeeper(page);
    await page.locator('#keeper-apiKey-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#keeper-apiKey-error').textContent(), 'is required to enable Keeper');
    assert.equal(await section(page).getByLabel('Commander API key').getAttribute('type'), 'password');
    await section(page).getByLabel('Commander API key').fill('test-commander-key');
    await screenshot(page, 'admin-keeper-filled', { fullPage: false });
    await saveKeeper(page);
    await page.locator('#keeper-token-box:not([hidden])').waitFor();

    const saved = fixture('admin-keeper-saved').view;
    assert.deepEqual(keeperCalls('admin.save')[0].payload, {
      section: 'keeper',
      settings: saved.settings,
      apiKey: 'test-commander-key',
      rotateToken: false,
    });
    assert.equal(await page.locator('#keeper-token').inputValue(), saved.tokenToPaste);
    assert.equal(await page.locator('#keeper-authorization').inputValue(), saved.authorization);
    assert.equal(await focusedId(page), 'keeper-token-box', 'focus on what must be copied now');
    assert.equal(await page.locator('#keeper-notice-title').textContent(), 'Saved.');
    assert.equal(await section(page).getByLabel('Commander API key').inputValue(), '', 'the key is not kept in the page');
    assert.equal(await page.locator('#keeper-apiKey-status').textContent(), 'Set — leave blank to keep');
    assert.match(await page.locator('#keeper-token-status').textContent(), /^Set\./);
    assert.equal(await section(page).getByLabel("Keeper issues' project").inputValue(), 'OPS');

    await bench.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(bench.server.adminUrl()).origin,
    });
    await page.locator('#keeper-authorization-copy').click();
    await page.locator('#keeper-token-copy-status:not([hidden])').waitFor();
    assert.equal(await page.locator('#keeper-authorization-copy').textContent(), 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), saved.authorization);
    await bench.browser.context.clearPermissions();
    await page.locator('#keeper-token-box').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-keeper-token', { fullPage: false });

    // Reloaded, the page has what was stored, and the token nowhere.
    answers['admin.config'] = bySection(named('admin-config'), named('admin-pra-config'), named('admin-keeper-config-set'));
    await page.reload();
    await page.locator('#keeper-form:not([hidden])').waitFor();
    assert.equal(await page.locator('#keeper-token-box').isVisible(), false);
    assert.ok(!(await page.content()).includes(saved.tokenToPaste), 'the token is gone');
    assert.equal(await section(page).getByLabel("Deciders' group").inputValue(), 'pam-approvers');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Generate a new token saves with a new one, shown once', async () => {
    answerKeeper({ config: 'admin-keeper-config-set', save: 'admin-keeper-rotated' });
    const { page, problems } = await open();
    await page.getByRole('button', { name: 'Generate a new token' }).click();
    await page.locator('#keeper-token-box:not([hidden])').waitFor();
    const [call] = keeperCalls('admin.save');
    assert.equal(call.payload.rotateToken, true);
    assert.equal(call.payload.apiKey, undefined, 'an empty key input keeps the stored key');
    assert.deepEqual(call.payload.settings, fixture('admin-keeper-config-set').view.settings);
    assert.equal(await page.locator('#keeper-token').inputValue(), fixture('admin-keeper-rotated').view.tokenToPaste);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a refusal marks its field; Test connection lists the checks', async () => {
    answerKeeper({ save: 'admin-keeper-save-invalid', validate: 'admin-keeper-validate' });
    const { page, problems } = await open();
    // A page out of step with the server: the server's refusal lands next to the field.
    await section(page).getByLabel('Commander API URL').fill('https://keeper-test.ngrok.io/api/v2');
    await section(page).getByLabel("Keeper issues' project").fill('OPS');
    await section(page).getByLabel('Commander API key').fill('test-commander-key');
    await section(page).getByLabel('Enable Keeper').check();
    await saveKeeper(page);
    await page.locator('#keeper-apiKey-error:not([hidden])').waitFor();
    const refusal = fixture('admin-keeper-save-invalid').error;
    assert.equal(await page.locator('#keeper-notice-title').textContent(), refusal.message);
    assert.equal(await page.locator('#keeper-apiKey-error').textContent(), refusal.fields.apiKey);
    assert.equal(await focusedId(page), 'keeper-apiKey');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('#keeper-checks:not([hidden])').waitFor();
    assert.deepEqual(keeperCalls('admin.validate')[0].payload, { section: 'keeper' });
    assert.equal(await focusedId(page), 'keeper-checks');
    const checks = fixture('admin-keeper-validate').checks;
    const rows = page.locator('#keeper-check-list .check');
    assert.equal(await rows.count(), checks.length);
    const connection = page.locator('#keeper-check-list [data-check="keeper-connection"]');
    assert.equal(await connection.locator('.badge').textContent(), 'Pass');
    assert.match(await page.locator('#keeper-checks-note').textContent(), /save first/, 'unsaved changes');

    answers['admin.validate'] = bySection(named('admin-validate'), named('admin-pra-validate'), named('admin-keeper-validate-failing'));
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('#keeper-check-list [data-check="keeper-connection"].check-fail').waitFor();
    assert.match(await page.locator('#keeper-checks-summary').textContent(), /2 failed/);
    assert.match(
      await page.locator('#keeper-check-list [data-check="keeper-connection"] .check-detail').textContent(),
      /401/,
    );
    await page.locator('#keeper-checks').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-keeper-test-connection', { fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
