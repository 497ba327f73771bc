// Transpiles the component the host embeds with jco, the way scripts/forge-build-component.mjs
// does for Forge (sync instantiation, no WASI shims), into a folder the bench owns, so Node runs
// exactly the bytes wasmtime runs without touching src/generated/.
// Usage: node bench/node/transpile.mjs <component.wasm> <out-dir>
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NAME, transpileComponent } from '../../scripts/transpile-component.mjs';

const [componentPath, outDir] = process.argv.slice(2);
if (!componentPath || !outDir) {
  throw new Error('usage: transpile.mjs <component.wasm> <out-dir>');
}
const files = await transpileComponent(readFileSync(componentPath));
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of Object.entries(files)) {
  const base = path.basename(name);
  // The bindings use class private members: `.mjs`, as in src/generated/.
  const target = base === `${NAME}.js` ? `${NAME}.mjs` : base;
  if (target.endsWith('.mjs') || target.endsWith('.wasm')) {
    writeFileSync(path.join(outDir, target), bytes);
  }
}
