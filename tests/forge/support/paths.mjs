import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SAMPLE = path.join(ROOT, 'tests', 'fixtures', 'epm', 'ticket-created.sample.json');
