// Temp copies of the app for Forge's offline checks: the files `forge lint` and `forge deploy`
// read (manifest, package.json, .gitignore, src, node_modules by link) and the page builds. Each
// page is the real build when there is one; otherwise a placeholder that looks like it to the
// checks (an index.html and a .wasm), written only inside the copy, never in the repo.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { pageBuilds } from './app-build.mjs';
import { PAGE_BUILDS, ROOT } from './paths.mjs';

/** The 8-byte header of an empty WebAssembly module. */
const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Writes each page into the copy; returns what each is ({request: 'the page build', ...}). */
function writePages(dir) {
  const built = pageBuilds();
  const pages = {};
  for (const [key, build] of Object.entries(PAGE_BUILDS)) {
    const target = path.join(dir, path.relative(ROOT, build));
    if (built[key]) {
      cpSync(built[key], target, { recursive: true });
      pages[key] = 'the page build';
      continue;
    }
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'index.html'), '<!doctype html><title>placeholder</title><script src="page.js"></script>\n');
    writeFileSync(path.join(target, 'page.js'), '// placeholder for the page build\n');
    writeFileSync(path.join(target, 'page_bg.wasm'), EMPTY_WASM);
    pages[key] = 'a placeholder page (scripts/build-ui.sh does not build it)';
  }
  return pages;
}

/**
 * A temp copy of the app, removed after the test `t`; `edit` (optional) rewrites manifest.yml
 * and must change it. Returns {dir, pages} where `pages` says which page each resource holds.
 */
export function appCopy(t, edit) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pam-forge-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of ['manifest.yml', 'package.json', '.gitignore', 'src']) {
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const pages = writePages(dir);
  if (edit) {
    const manifest = readFileSync(path.join(dir, 'manifest.yml'), 'utf8');
    const edited = edit(manifest);
    if (edited === manifest) throw new Error('the edit did not change the manifest');
    writeFileSync(path.join(dir, 'manifest.yml'), edited);
  }
  return { dir, pages };
}
