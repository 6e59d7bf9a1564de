import fs from 'node:fs';
import { packageFile } from './package-root.js';

export { packageRoot } from './package-root.js';

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
