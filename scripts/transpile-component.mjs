// The one jco transpile of the app component, shared by the Forge build
// (scripts/forge-build-component.mjs) and the benchmarks (bench/node/transpile.mjs), so that
// both run the same bindings: sync instantiation, no WASI shims (the component imports nothing).
import { transpileBytes } from '@bytecodealliance/jco-transpile';

export const NAME = 'pam-approvals';

/** Transpiles component bytes; resolves to jco's `files` (name → bytes). */
export async function transpileComponent(component) {
  const { files, imports } = await transpileBytes(component, {
    name: NAME,
    instantiation: 'sync',
    emitTypescriptDeclarations: false,
    wasiShim: false,
  });
  if (imports.length > 0) {
    throw new Error(`the component must import nothing, but it imports: ${imports.join(', ')}`);
  }
  return files;
}
