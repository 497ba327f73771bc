// The manifest passes Forge's own offline checks (@forge/manifest validate + client-side
// @forge/lint) and the app's page rule, and those checks bite: broken copies fail with the
// expected message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';

import { allPagesBuilt, validateApp } from './support/app-build.mjs';
import { appCopy } from './support/app-copy.mjs';
import { PAGE_BUILDS, ROOT } from './support/paths.mjs';

// The YAML parser @forge/manifest reads the manifest with.
const YAML = createRequire(createRequire(import.meta.url).resolve('@forge/manifest'))('yaml');
const manifest = () => YAML.parse(readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8'));

test('manifest.yml passes @forge/manifest validation and client-side @forge/lint with no error or warning', async (t) => {
  // The repo itself when every page is built; otherwise a copy with placeholders for the others.
  const copy = allPagesBuilt() ? undefined : appCopy(t);
  t.diagnostic(copy ? `validated a copy: ${JSON.stringify(copy.pages)}` : 'validated the repo with its page builds');
  const result = await validateApp(copy?.dir ?? ROOT);
  assert.equal(result.code, 0, result.output);
  assert.match(result.stdout, /found no problems/);
});

test('the configuration page is a jira:adminPage used as the app\'s Configure page, on the admin resource and resolver-fn', () => {
  const { modules, resources } = manifest();
  assert.deepEqual(modules['jira:adminPage'], [{
    key: 'pam-approvals-config',
    title: 'PAM Approvals for Jira',
    resource: 'admin',
    resolver: { function: 'resolver-fn' },
    useAsConfig: true,
  }]);
  // Both pages call the one resolver function, whose handler defines every core resolver name.
  assert.deepEqual(modules.function.find((f) => f.key === 'resolver-fn'), { key: 'resolver-fn', handler: 'index.resolver' });
  // Each page resource is a folder scripts/build-ui.sh builds (and the tests know of).
  const folders = Object.fromEntries(resources.map((r) => [r.key, r.path]));
  assert.deepEqual(folders, Object.fromEntries(Object.entries(PAGE_BUILDS).map(([key, dir]) => [key, path.relative(ROOT, dir)])));
});

test('expiry: scheduledTriggers every five minutes run expiry-fn (index.expiryTick) and keeper-expiry-fn (index.keeperExpiryTick); openExpiry and openUntil are indexed as numbers', () => {
  const { modules } = manifest();
  // fiveMinute is the shortest interval @forge/manifest's schema allows.
  assert.deepEqual(modules.scheduledTrigger, [
    { key: 'epm-expiry', function: 'expiry-fn', interval: 'fiveMinute' },
    { key: 'keeper-expiry', function: 'keeper-expiry-fn', interval: 'fiveMinute' },
  ]);
  assert.deepEqual(modules.function.find((f) => f.key === 'expiry-fn'), { key: 'expiry-fn', handler: 'index.expiryTick' });
  assert.deepEqual(modules.function.find((f) => f.key === 'keeper-expiry-fn'), { key: 'keeper-expiry-fn', handler: 'index.keeperExpiryTick' });
  // The core's searches are `issue.property[pam-approvals.epm].openExpiry <= <now ms>` and
  // `issue.property[pam-approvals.keeper].openUntil <= <now ms>`: Jira answers them only for an
  // indexed path, numerically only for a `number`.
  const [epm, keeper] = modules['jira:entityProperty'];
  assert.equal(epm.propertyKey, 'pam-approvals.epm');
  assert.deepEqual(epm.values.find((v) => v.path === 'openExpiry'), { path: 'openExpiry', type: 'number', searchAlias: 'pamEpmOpenExpiry' });
  assert.equal(keeper.propertyKey, 'pam-approvals.keeper');
  assert.deepEqual(keeper.values.find((v) => v.path === 'openUntil'), { path: 'openUntil', type: 'number', searchAlias: 'pamKeeperOpenUntil' });
  assert.deepEqual(keeper.values.find((v) => v.path === 'sid'), { path: 'sid', type: 'string', searchAlias: 'pamKeeperRequest' });
});

test('jobs: a consumer of queue pam-jobs runs jobs-fn (index.jobs) for at most 55 s', async () => {
  const { modules } = manifest();
  // The queue the shell falls back to when an event does not name one (and the core pushes to).
  const { JOB_QUEUE } = await import('../../src/forge/jobs.js');
  assert.equal(JOB_QUEUE, 'pam-jobs');
  // @forge/events 2+ calls a consumer's function directly with the async event (no resolver).
  assert.deepEqual(modules.consumer, [{ key: 'pam-jobs-consumer', queue: JOB_QUEUE, function: 'jobs-fn' }]);
  // 55 s like a web trigger run, not the 900 s a consumer may have: the core takes a lease or
  // claim held for 60 s as its run's death (manifest.yml says why).
  assert.deepEqual(modules.function.find((f) => f.key === 'jobs-fn'), { key: 'jobs-fn', handler: 'index.jobs', timeoutSeconds: 55 });
});

test('the scopes are the ones docs/deploy-forge.md explains, each with the calls it covers', () => {
  const { permissions } = manifest();
  const docs = readFileSync(path.join(ROOT, 'docs', 'deploy-forge.md'), 'utf8');
  const documented = [...docs.matchAll(/^\| `([a-z:.-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), [...permissions.scopes].sort());
  // The workflow read for Validate configuration uses the read-only granular scope, not the
  // classic manage:jira-configuration (which would let the app change Jira's configuration).
  assert.ok(permissions.scopes.includes('read:workflow:jira'));
  assert.ok(!permissions.scopes.includes('manage:jira-configuration'));
});

/** Validates a copy of the app with `edit` applied to manifest.yml; expects failure with `message`. */
async function assertRefused(t, edit, message) {
  const { dir } = appCopy(t, edit);
  const result = await validateApp(dir);
  assert.equal(result.code, 1, result.output);
  assert.match(result.stderr, message);
}

// Each check loads Forge's libraries in a child process (~5 s); two run at a time.
describe('broken copies of the manifest fail with a clear message', { concurrency: 2 }, () => {
  test('a handler whose export does not exist fails the lint', (t) =>
    assertRefused(t, (m) => m.replace('handler: index.epmWebhook', 'handler: index.noSuchHandler'),
      /Cannot find exported function "noSuchHandler"/));

  test('a handler in a file that does not exist fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('handler: index.epmWebhook', 'handler: missing.epmWebhook'),
      /cannot find associated file with name 'missing\./));

  test('the resolver handler must be exported by src/index.js', (t) =>
    assertRefused(t, (m) => m.replace('handler: index.resolver', 'handler: index.noSuchResolver'),
      /Cannot find exported function "noSuchResolver"/));

  test('a resource folder that does not exist fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('path: static/request/build', 'path: static/decide/build'),
      /missing resource 'static\/decide\/build' is being referenced by 'request'/));

  test('a resource without a path fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('    path: static/request/build\n', ''),
      /resources must have required property 'path'/));

  test('the issue action must point at a declared resource and resolver function', async (t) => {
    await assertRefused(t, (m) => m.replace('resource: request\n', 'resource: no-such-page\n'),
      /missing resource key 'no-such-page' is being referenced by jira:issueAction module/);
    await assertRefused(t, (m) => m.replace('function: resolver-fn\n', 'function: no-such-fn\n'),
      /jira:issueAction references undefined function module with key 'no-such-fn'/);
  });

  test('a WebAssembly page without unsafe-eval fails the page rule', (t) =>
    assertRefused(t, (m) => m.replace(/  content:\n(    #.*\n)*    scripts:\n      - unsafe-eval\n/, ''),
      /resource 'request' runs WebAssembly .* lacks unsafe-eval/));

  test('wasm-unsafe-eval, the narrower CSP source, is not accepted by Forge', (t) =>
    assertRefused(t, (m) => m.replace('      - unsafe-eval\n', '      - wasm-unsafe-eval\n'),
      /Invalid 'content.scripts' permission in the manifest.yml file - 'wasm-unsafe-eval'/));

  test('the configuration page must point at a declared resource and resolver function', async (t) => {
    await assertRefused(t, (m) => m.replace('resource: admin\n', 'resource: no-such-page\n'),
      /missing resource key 'no-such-page' is being referenced by jira:adminPage module/);
    await assertRefused(t, (m) => m.replace(/( {6}resource: admin\n {6}resolver:\n {8}function: )resolver-fn/, '$1no-such-fn'),
      /jira:adminPage references undefined function module with key 'no-such-fn'/);
  });

  test('useAsConfig on a page whose resource is not declared fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace(/ {2}# The configuration page\.\n {2}- key: admin\n {4}path: static\/admin\/build\n/, ''),
      /missing resource key 'admin' is being referenced by jira:adminPage module/));

  test('Jira takes one Configure page: a second useAsConfig entry fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('      useAsConfig: true\n',
      '      useAsConfig: true\n    - key: pam-approvals-config-2\n      title: Second\n      resource: admin\n      useAsConfig: true\n'),
    /can only have a single entry that includes the useAsConfig property/));

  test('the Configure page cannot have sub-pages', (t) =>
    assertRefused(t, (m) => m.replace('      useAsConfig: true\n', '      useAsConfig: true\n      pages:\n        - title: More\n          route: more\n'),
      /can’t use either pages or sections in the jira:adminPage entry that includes either useAsConfig/));

  test('a scope name Forge does not know fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('- read:jira-user', '- read:jira-users'),
      /Invalid 'scopes' permission in the manifest.yml file - 'read:jira-users'/));

  test('a scheduled trigger pointing at an unknown function fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('function: expiry-fn', 'function: no-such-fn'),
      /scheduledTrigger references undefined function module with key 'no-such-fn'/));

  test('the expiry handler must be exported by src/index.js', (t) =>
    assertRefused(t, (m) => m.replace('handler: index.expiryTick', 'handler: index.noSuchTick'),
      /Cannot find exported function "noSuchTick"/));

  test('a scheduled trigger interval shorter than five minutes is not accepted by Forge', (t) =>
    assertRefused(t, (m) => m.replace('interval: fiveMinute', 'interval: minute'),
      /allowed values are 'fiveMinute', 'hour', 'day', 'week'/));

  test('a queue consumer pointing at an unknown function fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('function: jobs-fn', 'function: no-such-fn'),
      /consumer references undefined function module with key 'no-such-fn'/));

  test('the jobs handler must be exported by src/index.js', (t) =>
    assertRefused(t, (m) => m.replace('handler: index.jobs', 'handler: index.noSuchJobs'),
      /Cannot find exported function "noSuchJobs"/));

  test('a consumer function may run at most 900 s', (t) =>
    assertRefused(t, (m) => m.replace('timeoutSeconds: 55', 'timeoutSeconds: 901'),
      /function property timeoutSeconds must be <= 900/));

  test('a web trigger pointing at an unknown function fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('function: epm-webhook-fn', 'function: no-such-fn'),
      /webtrigger references undefined function module with key 'no-such-fn'/));
});
