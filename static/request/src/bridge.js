// The pages' bridge to the app's resolvers, imported by the Rust pages (ui/src/bridge.rs); both
// the issue action page, the Keeper panel (`<html data-page="keeper">`) and the configuration
// page (`<html data-page="admin">`) use it.
// On Forge, Jira injects `window.__bridge` and @forge/bridge talks through it; anywhere else
// (the local host, the browser tests) the page calls the host's `POST /bridge/invoke` and
// closes by telling the parent page, which shows it in a modal iframe.
// scripts/build-ui.sh bundles this file with @forge/bridge into each page's build/bridge.js.

/** @forge/bridge, loaded on first use. Its modules call the Forge bridge as they load and throw
 * where there is none, so it must not be imported outside Forge; esbuild keeps this dynamic
 * import in the same file and evaluates the package only when it runs. */
const forge = () => import('@forge/bridge');

/** The same test @forge/bridge makes before every call. */
const onForge = () => typeof globalThis.__bridge?.callBridge === 'function';

/** The issue the page was opened on, locally: `index.html?issueKey=KEY`. */
function localIssueKey() {
  return new URLSearchParams(window.location.search).get('issueKey') ?? '';
}

/** What Forge would put in `context.extension` for this page: the configuration page is a
 * `jira:adminPage` with no issue; the Keeper panel an issue panel and the request page an issue
 * action, on the issue each was opened on. */
function localExtension() {
  const page = document.documentElement.dataset.page;
  if (page === 'admin') return { type: 'jira:adminPage' };
  if (page === 'keeper') return { type: 'jira:issuePanel', issue: { key: localIssueKey() } };
  return { type: 'jira:issueAction', issue: { key: localIssueKey() } };
}

/** The message of the host's error answer (`{"error": "…"}`), or the HTTP status. */
async function failure(response) {
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (typeof body?.error === 'string') message = `${body.error} (HTTP ${response.status})`;
  } catch {
    // Not JSON: the status says enough.
  }
  return new Error(message);
}

async function localInvoke(functionKey, payload) {
  let response;
  try {
    response = await fetch('/bridge/invoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // The host sets who is asking from its own sign-in; only the extension comes from here.
      body: JSON.stringify({
        functionKey,
        payload,
        context: { extension: localExtension() },
      }),
    });
  } catch (error) {
    throw new Error(`the app could not be reached (${error.message})`);
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Calls resolver `functionKey`; resolves to its answer, rejects when the call fails. */
export async function invoke(functionKey, payload) {
  if (!onForge()) return localInvoke(functionKey, payload);
  const { invoke: forgeInvoke } = await forge();
  return forgeInvoke(functionKey, payload);
}

/** Closes the dialog; with `refresh`, Jira reloads so the issue shows its new status and note. */
export async function close(refresh) {
  if (!onForge()) {
    // The local host serves the issue page and this page from one origin; naming it keeps the
    // message from any other parent.
    window.parent.postMessage({ type: 'pam-approvals:close', refresh }, window.location.origin);
    return;
  }
  const { router, view } = await forge();
  if (refresh) {
    try {
      // Reloading the issue page shows the new status and note, and closes the modal with it.
      await router.reload();
      return;
    } catch {
      // A product that does not offer reload here still lets the modal close.
    }
  }
  await view.close();
}

/** Puts `text` on the clipboard. The Clipboard API needs a permission Jira's iframe may not
 * grant, so the older copy command on a selected, off-screen text area is the fallback. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Not allowed here: fall back.
  }
  const focused = document.activeElement;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'copy-buffer';
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } finally {
    area.remove();
    focused?.focus?.();
  }
  if (!copied) throw new Error('the browser did not allow it');
}
