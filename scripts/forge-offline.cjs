// Runs Forge's own checks and bundler offline, without the Forge CLI (which needs a login):
//   node scripts/forge-offline.cjs validate [appDir]
//     @forge/manifest validate() (schema, references, scopes, resources) and the client-side
//     @forge/lint linters, as `forge lint` runs them, plus the app's page rule (a WebAssembly
//     page needs unsafe-eval); exits 1 on any error or warning.
//   node scripts/forge-offline.cjs bundle [appDir] [outDir]
//     the real @forge/bundler (webpack, as `forge deploy` runs it) with a local wrapper provider;
//     writes the function bundle to outDir (default appDir/build/forge-bundle).
// CommonJS on purpose: @forge/bundler refuses to run when `require.main` is unset (an ESM entry).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const APP_DIR = path.resolve(process.argv[3] ?? path.join(__dirname, '..'));

// @forge/lint asks a feature-flag service only for deprecated runtimes; offline there are none.
const statsig = { getDeprecatedRuntimes: async () => [] };

const quietLogger = {
  info: () => {},
  debug: () => {},
  trace: () => {},
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

async function validate() {
  const { validate: validateManifest } = require('@forge/manifest');
  const { lint, getClientSideLintersOnly } = require('@forge/lint');
  const { FileSystemReader, listGitIgnoreFiles } = require('@forge/cli-shared');

  const problems = [];
  const result = await validateManifest(false);
  for (const e of result.errors ?? []) {
    problems.push(`manifest.yml${e.line ? `:${e.line}` : ''}: ${e.level}: ${e.message}`);
  }
  const manifest = result.manifestObject?.typedContent;
  if (!result.success || !manifest) {
    if (problems.length === 0) problems.push('manifest.yml: error: validation failed');
    return problems;
  }

  // The files `forge lint` reads: src/ without git-ignored paths (generated code) and node_modules.
  const reader = new FileSystemReader();
  const exclude = [...(await listGitIgnoreFiles(reader)), '.git', 'node_modules'];
  const files = await reader.recursiveReadDir('./src', exclude);
  const linters = (await getClientSideLintersOnly(manifest, 'development', quietLogger, statsig))
    // PermissionLinter downloads Jira's OpenAPI document from the web.
    .filter((linter) => linter.constructor.name !== 'PermissionLinter');
  const results = await lint(files, manifest, 'development', quietLogger, statsig, {
    linter: { mode: 'client-side' },
    linters,
  });
  for (const r of results) {
    for (const [level, list] of [['error', r.errors], ['warning', r.warnings]]) {
      for (const p of list) {
        problems.push(`${path.relative(APP_DIR, path.resolve(r.file))}:${p.line}:${p.column}: ${level}: ${p.message}`);
      }
    }
  }
  return [...problems, ...pageProblems(manifest)];
}

/** Files under dir, relative to it (the resource folders are small build outputs). */
function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)));
}

/**
 * This app's own rule, which Forge's checks cannot know: a Custom UI page that runs WebAssembly
 * needs `unsafe-eval` in the page's CSP (`wasm-unsafe-eval` is not accepted by the manifest).
 * Without it the page loads and then fails in the browser, which no Forge check reports.
 */
function pageProblems(manifest) {
  const scripts = manifest.permissions?.content?.scripts ?? [];
  if (scripts.includes('unsafe-eval')) return [];
  const problems = [];
  for (const resource of manifest.resources ?? []) {
    const dir = path.join(APP_DIR, resource.path);
    if (!fs.existsSync(dir)) continue; // @forge/manifest reports a missing folder
    const wasm = filesUnder(dir).find((f) => f.endsWith('.wasm'));
    if (wasm) {
      problems.push(`manifest.yml: error: resource '${resource.key}' runs WebAssembly (${resource.path}/${wasm}) ` +
        'but permissions.content.scripts lacks unsafe-eval, so Custom UI\'s CSP would stop it from compiling');
    }
  }
  return problems;
}

// The Forge CLI downloads Forge's runtime loader and wrapper and ships them beside the bundle.
// Offline there is nothing to download: these stand-ins only say so; tests `require` index.cjs.
const standIn = (name) => ({
  script: `// Offline stand-in for Forge's runtime ${name}; \`forge deploy\` ships the platform's own.\n` +
    `throw new Error('Forge runtime ${name} stand-in: deploy with the Forge CLI');\n`,
  source: `local:${name}`,
  version: 'local',
});
const localWrapperProvider = {
  getNodeRuntimeWrapper: async () => standIn('wrapper'),
  getNodeRuntimeLoader: async () => standIn('loader'),
};

async function bundle(outDir) {
  const { validate: validateManifest } = require('@forge/manifest');
  const { getNodeBundler, getEntryPoints } = require('@forge/bundler');
  const result = await validateManifest(false);
  const manifest = result.manifestObject?.typedContent;
  if (!manifest) throw new Error('manifest.yml could not be read; run the validate step');
  // The entry points `forge deploy` derives: one per module named in a function handler.
  const handlers = (manifest.modules.function ?? []).map((f) => ({ module: f.handler.split('.')[0] }));
  const bundler = getNodeBundler(quietLogger, localWrapperProvider, { readConfig: async () => manifest });
  const output = await bundler.bundle({ appDirectory: APP_DIR, entryPoints: getEntryPoints(handlers) });

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.cpSync(output.outputDir, outDir, { recursive: true });
  for (const [name, content] of output.additionalOutputs ?? []) {
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, name), content); // Buffers (no i18n bundles in this app)
  }
  fs.rmSync(output.outputDir, { recursive: true, force: true });
  return fs.readdirSync(outDir).map((f) => `${f} ${fs.statSync(path.join(outDir, f)).size} B`);
}

async function main() {
  const [command] = process.argv.slice(2);
  process.chdir(APP_DIR); // @forge/manifest and @forge/lint read the app from the working directory
  if (command === 'validate') {
    const problems = await validate();
    if (problems.length) {
      console.error(`Forge validation failed (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
      for (const p of problems) console.error(`  ${p}`);
      process.exitCode = 1;
    } else {
      console.log('Forge validation: manifest and client-side lint found no problems.');
    }
  } else if (command === 'bundle') {
    const outDir = path.resolve(process.argv[4] ?? path.join(APP_DIR, 'build', 'forge-bundle'));
    const files = await bundle(outDir);
    console.log(`Forge bundle in ${outDir}:\n  ${files.join('\n  ')}`);
  } else {
    console.error('usage: node scripts/forge-offline.cjs validate|bundle [appDir] [outDir]');
    process.exitCode = 2;
  }
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exitCode = 1;
});
