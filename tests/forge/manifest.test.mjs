// The manifest passes Forge's own offline checks (@forge/manifest validate + client-side
// @forge/lint) and the app's page rule, and those checks bite: broken copies fail with the
// expected message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { pageBuild, validateApp } from './support/app-build.mjs';
import { appCopy } from './support/app-copy.mjs';
import { ROOT } from './support/paths.mjs';

test('manifest.yml passes @forge/manifest validation and client-side @forge/lint with no error or warning', async (t) => {
  // The repo itself when the page is built; otherwise a copy with a placeholder page.
  const dir = pageBuild() ? ROOT : appCopy(t).dir;
  t.diagnostic(dir === ROOT ? 'validated the repo with its page build' : 'validated a copy with a placeholder page');
  const result = await validateApp(dir);
  assert.equal(result.code, 0, result.output);
  assert.match(result.stdout, /found no problems/);
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

  test('a scope name Forge does not know fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('- write:servicedesk-request', '- write:servicedesk-requests'),
      /Invalid 'scopes' permission in the manifest.yml file - 'write:servicedesk-requests'/));

  test('a web trigger pointing at an unknown function fails the manifest validation', (t) =>
    assertRefused(t, (m) => m.replace('function: epm-webhook-fn', 'function: no-such-fn'),
      /webtrigger references undefined function module with key 'no-such-fn'/));
});
