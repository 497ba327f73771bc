// Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags that
// work on these machines (../shared/FORGE-NOTES.md) and a fresh profile per launch. Also: where
// screenshots go, and a watcher that fails a test on any console error or CSP violation.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT } from './paths.mjs';

export const CHROMIUM = process.env.PAM_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browser');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Chromium; resolves to {context, close()}. */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup.sh --tests (it installs Debian's chromium)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'pam-browser-profile-'));
  // A persistent context is how playwright takes an explicit --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1000, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot as test-artifacts/browser/<name>.png (the whole page unless `fullPage`
 * is false: a modal dialog is best seen in the viewport); returns the path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * Collects console errors, failed HTTP responses, uncaught exceptions and CSP violations of
 * `page` (and its frames).
 * The listener for violations is added before any page script runs; playwright injects it
 * outside the page's CSP.
 */
export async function watchProblems(page) {
  const problems = [];
  page.on('console', (message) => {
    // Chromium's "Failed to load resource" line has no URL; the response below names it.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
    });
  });
  return problems;
}
