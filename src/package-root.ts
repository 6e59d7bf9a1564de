/**
 * The package root (the folder holding npm-ir's package.json), found from this module's own location so the
 * bundled data files (playbooks/, schemas/) resolve the same way from src/ (tsx, vitest) and from dist/src/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'npm-ir') return (cached = dir);
      } catch {
        // not ours: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('npm-ir package root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** A file shipped with the package, e.g. packageFile('schemas', 'report.schema.json'). */
export function packageFile(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
