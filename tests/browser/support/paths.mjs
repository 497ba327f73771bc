import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built pages (scripts/build-ui.sh): the request page, the configuration page, the Keeper panel. */
export const BUILD = path.join(ROOT, 'static', 'request', 'build');
export const ADMIN_BUILD = path.join(ROOT, 'static', 'admin', 'build');
export const KEEPER_BUILD = path.join(ROOT, 'static', 'keeper', 'build');
export const FIXTURES = path.join(ROOT, 'tests', 'browser', 'fixtures');
export const SAMPLE = path.join(ROOT, 'tests', 'fixtures', 'epm', 'ticket-created.sample.json');
