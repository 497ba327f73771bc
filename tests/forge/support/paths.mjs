import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SAMPLE = path.join(ROOT, 'tests', 'fixtures', 'epm', 'ticket-created.sample.json');
/** The Custom UI pages' builds by manifest resource key (the issue action page `request`, the
 * configuration page `admin`, the Keeper panel `keeper`), made by scripts/build-ui.sh. */
export const PAGE_BUILDS = {
  request: path.join(ROOT, 'static', 'request', 'build'),
  admin: path.join(ROOT, 'static', 'admin', 'build'),
  keeper: path.join(ROOT, 'static', 'keeper', 'build'),
};
export const BUILD_UI = path.join(ROOT, 'scripts', 'build-ui.sh');
