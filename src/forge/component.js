// Loads the app component from jco's generated bindings (src/generated, built by
// `npm run build:component`). The core modules are compiled once per process; every run gets a
// fresh instance, like the local host, so no state leaks from one invocation to the next.
import { instantiate } from '../generated/pam-approvals.mjs';
import { coreWasm } from '../generated/pam-approvals-core-wasm.mjs';

const compiled = new Map();

function coreModule(name) {
  let module = compiled.get(name);
  if (!module) {
    const base64 = coreWasm[name];
    if (base64 === undefined) {
      throw new Error(`the component bindings asked for an unknown core module ${name}`);
    }
    module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    compiled.set(name, module);
  }
  return module;
}

/** A new instance of the component's `workflow` interface (its `Run` resource). */
export function newWorkflow() {
  return instantiate(coreModule, {}).workflow;
}
