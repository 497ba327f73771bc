// Runs the npm-side build steps as child processes (the Forge libraries read the app from the
// working directory, and @forge/bundler needs a CommonJS entry).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { BUILD_UI, PAGE_BUILDS, ROOT } from './paths.mjs';

function node(args, options = {}) {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', ...options });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', output: `${result.stdout}${result.stderr}` };
}

function mustSucceed(what, result) {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.output}`);
  return result;
}

/** Builds the component and its jco bindings into src/generated (cargo is a no-op when fresh). */
export function buildComponent() {
  return mustSucceed('npm run build:component', node([path.join(ROOT, 'scripts', 'forge-build-component.mjs')]));
}

const missingPages = () => Object.keys(PAGE_BUILDS).filter((key) => !existsSync(PAGE_BUILDS[key]));

/**
 * The page builds the manifest's resources point at (git-ignored), by resource key: as they are,
 * or built with scripts/build-ui.sh when one is missing. A page the script does not build (yet)
 * is left out of the answer.
 */
export function pageBuilds() {
  if (missingPages().length > 0 && existsSync(BUILD_UI)) {
    const built = spawnSync('bash', [BUILD_UI], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`scripts/build-ui.sh failed (${built.status}):\n${built.stdout}${built.stderr}`);
  }
  const missing = missingPages();
  return Object.fromEntries(Object.entries(PAGE_BUILDS).filter(([key]) => !missing.includes(key)));
}

/** True when every page is built, so the repo itself can be validated. */
export const allPagesBuilt = () => Object.keys(pageBuilds()).length === Object.keys(PAGE_BUILDS).length;

/** `npm run validate` against appDir, in a child process: resolves to {code, stdout, stderr, output}. */
export function validateApp(appDir = ROOT) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'forge-offline.cjs'), 'validate', appDir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: stdout + stderr }));
  });
}

/** Bundles the app with @forge/bundler into outDir; returns the path of the function bundle. */
export function bundleApp(outDir) {
  mustSucceed('npm run bundle', node([path.join(ROOT, 'scripts', 'forge-offline.cjs'), 'bundle', ROOT, outDir]));
  return path.join(outDir, 'index.cjs');
}
