// The manifest passes Forge's own offline checks (@forge/manifest validate + client-side
// @forge/lint), and those checks bite: broken copies fail with the expected message.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { validateApp } from './support/app-build.mjs';
import { ROOT } from './support/paths.mjs';

/** A temp copy of the app (manifest, src, package.json) with `edit` applied to manifest.yml. */
function brokenCopy(t, edit) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pam-forge-manifest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of ['manifest.yml', 'package.json', '.gitignore', 'src']) {
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const manifest = readFileSync(path.join(dir, 'manifest.yml'), 'utf8');
  const edited = edit(manifest);
  assert.notEqual(edited, manifest, 'the edit changed the manifest');
  writeFileSync(path.join(dir, 'manifest.yml'), edited);
  return dir;
}

test('manifest.yml passes @forge/manifest validation and client-side @forge/lint with no error or warning', async () => {
  const result = await validateApp();
  assert.equal(result.code, 0, result.output);
  assert.match(result.stdout, /found no problems/);
});

// Each check loads Forge's libraries in a child process (~5 s); two run at a time.
describe('broken copies of the manifest fail with a clear message', { concurrency: 2 }, () => {
  test('a handler whose export does not exist fails the lint', async (t) => {
    const dir = brokenCopy(t, (m) => m.replace('handler: index.epmWebhook', 'handler: index.noSuchHandler'));
    const result = await validateApp(dir);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, /Cannot find exported function "noSuchHandler"/);
  });

  test('a handler in a file that does not exist fails the manifest validation', async (t) => {
    const dir = brokenCopy(t, (m) => m.replace('handler: index.epmWebhook', 'handler: missing.epmWebhook'));
    const result = await validateApp(dir);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, /cannot find associated file with name 'missing\./);
  });

  test('a module whose resource folder does not exist fails the manifest validation', async (t) => {
    const dir = brokenCopy(t, (m) =>
      m
        .replace(
          '  function:\n',
          '  jira:issueAction:\n    - key: manage-jit-request\n      title: Manage JIT Access Request\n      resource: decide-page\n\n  function:\n',
        )
        .replace('permissions:\n', 'resources:\n  - key: decide-page\n    path: static/decide/build\n\npermissions:\n'),
    );
    const result = await validateApp(dir);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, /missing resource 'static\/decide\/build' is being referenced by 'decide-page'/);
  });

  test('a web trigger pointing at an unknown function fails the manifest validation', async (t) => {
    const dir = brokenCopy(t, (m) => m.replace('function: epm-webhook-fn', 'function: no-such-fn'));
    const result = await validateApp(dir);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, /webtrigger references undefined function module with key 'no-such-fn'/);
  });
});
