// Host provisioning on Forge, the counterpart of the local host's start-up `configure` run:
// when the environment variable PAM_CONFIGURE holds a configuration document (set with
// `forge variables set --encrypt PAM_CONFIGURE '{...}'`), each new Forge container passes it,
// unread, to the component's `configure` invocation once, before its first request. The
// component validates and stores it; this file only forwards it and logs the outcome.

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
