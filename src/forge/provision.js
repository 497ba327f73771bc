// Host provisioning on Forge, the counterpart of the local host's start-up `configure` run:
// when the environment variable PAM_CONFIGURE holds a configuration document (set with
// `forge variables set --encrypt PAM_CONFIGURE '{...}'`), each new Forge container passes it,
// unread, to the component's `configure` invocation once, before its first request. The
// component validates and stores it; this file only forwards it and logs the outcome.
//
// The configuration page (Apps → Manage apps → PAM Approvals for Jira → Configure) is the normal
// way to configure the app; PAM_CONFIGURE is an optional bootstrap for scripted installs. Use
// `"onlyIfUnconfigured": true`: the core then leaves the stored settings and secrets alone once a
// configuration is stored, so a new container does not undo what an admin saved on the page.
// Without it, every container start re-applies the document. Which applies is the core's
// decision; the document is passed as it is (docs/deploy-forge.md, "Scripted installs").

const VARIABLE = 'PAM_CONFIGURE';
let provisioned;

/** Runs the `configure` invocation once per process when PAM_CONFIGURE is set. */
export function provisionOnce(runInvocation) {
  provisioned ??= provision(runInvocation);
  return provisioned;
}

async function provision(runInvocation) {
  const document = process.env[VARIABLE];
  if (!document) {
    return;
  }
  try {
    const outcome = await runInvocation({ tag: 'configure', val: document });
    if (outcome.tag === 'error') {
      console.error(`${VARIABLE} was refused: ${outcome.val}`);
    } else {
      console.log(`${VARIABLE} applied: ${outcome.val}`);
    }
  } catch (error) {
    console.error(`${VARIABLE} could not be applied: ${error?.message ?? error}`);
  }
}
