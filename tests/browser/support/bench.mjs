// What every page test file starts with: its built page checked, Chromium and the stand-in host
// started before the file's tests and stopped after them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';

import { launch } from './browser.mjs';
import { startPageServer } from './page-server.mjs';

/** Returns `{browser, server}`, filled in once the file's `before` has run. */
export function pageBench(build) {
  const bench = {};
  before(async () => {
    assert.ok(
      existsSync(path.join(build, 'pam_approvals_ui_bg.wasm')),
      `the page is not built (${build}): run scripts/build-ui.sh`,
    );
    bench.browser = await launch();
    bench.server = await startPageServer();
  });
  after(async () => {
    await bench.browser?.close();
    await bench.server?.close();
  });
  return bench;
}
