// Starts the Rust page: loading the generated module runs its `#[wasm_bindgen(start)]`.
// A separate file because the page's CSP allows no inline script.
import init from './pam_approvals_ui.js';

init().catch((error) => {
  // Without WebAssembly there is no page: say so instead of "Loading…" forever.
  console.error('pam-approvals page did not start:', error);
  const text = document.getElementById('busy-text');
  if (text) text.textContent = `The page could not start: ${error?.message ?? error}`;
  document.querySelector('#busy .spinner')?.setAttribute('hidden', '');
});
