import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SAMPLE = path.join(ROOT, 'tests', 'fixtures', 'epm', 'ticket-created.sample.json');
/** The issue action page's build (manifest resource `request`), made by scripts/build-ui.sh. */
export const PAGE_BUILD = path.join(ROOT, 'static', 'request', 'build');
export const BUILD_UI = path.join(ROOT, 'scripts', 'build-ui.sh');
