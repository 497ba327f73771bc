// The set-up every "same on both hosts" test shares: two local hosts with their own sandboxes,
// one serving as the local host under test and one as the Jira, EPM, PRA and Keeper Commander the Forge bundle talks
// to; the stand-in Forge platform; PAM_CONFIGURE as the local host applies it in sandbox mode;
// and the bundle loaded in this process. Plus the sample webhook sent to both.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { buildComponent, bundleApp } from './app-build.mjs';
import { installForgeRuntime } from './forge-runtime.mjs';
import { startHost } from './local-host.mjs';
import { SAMPLE } from './paths.mjs';
import { EPM_HOST, KEEPER_HOST, PRA_HOST, SANDBOX_CONFIG } from './sandbox.mjs';

export const USER = 'pam-webhook';
export const PASSWORD = 'forge-parity-password-1';

/** Starts both hosts and loads the bundle built into `outDir`: {local, forgeSide, platform, app,
 * stop}. `stop` is safe after a failed start. */
export async function startParity(outDir) {
  buildComponent();
  const bundlePath = bundleApp(outDir);
  const env = { PAM_WEBHOOK_USER: USER, PAM_WEBHOOK_PASSWORD: PASSWORD };
  const started = await Promise.allSettled([startHost({ env }), startHost({ env })]);
  const [local, forgeSide] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  const stop = async () => {
    delete process.env.PAM_CONFIGURE;
    await Promise.all([local?.stop(), forgeSide?.stop()]);
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const platform = installForgeRuntime({
    jiraBase: forgeSide.jiraBase,
    epm: { host: EPM_HOST, base: forgeSide.epmBase },
    pra: { host: PRA_HOST, base: `${forgeSide.base}/sandbox/pra` },
    keeper: { host: KEEPER_HOST, base: `${forgeSide.base}/sandbox/keeper` },
  });
  // What the local host applies at start-up in sandbox mode, with the EPM client secret of the
  // sandbox EPM the Forge side talks to.
  process.env.PAM_CONFIGURE = JSON.stringify({
    config: SANDBOX_CONFIG,
    secrets: { webhookUsername: USER, webhookPassword: PASSWORD, clientSecret: forgeSide.epmClientSecret() },
    onlyIfUnconfigured: true,
  });
  const app = createRequire(import.meta.url)(bundlePath);
  return { local, forgeSide, platform, app, stop };
}

/** Sends the sample "ticket created" webhook to the local host and to the bundle's handler:
 * {local: fetch Response, forge: the handler's response}. */
export async function sendSampleToBoth({ local, app }) {
  const sample = readFileSync(SAMPLE, 'utf8');
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const sent = await fetch(local.webTrigger, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: authorization },
    body: sample,
  });
  const forge = await app.epmWebhook({
    method: 'POST',
    path: '/',
    body: sample,
    headers: { 'content-type': ['application/json'], authorization: [authorization] },
    queryParameters: {},
  });
  return { local: sent, forge };
}
