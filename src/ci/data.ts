/**
 * Versioned data tables under data/ci/, loaded once. The package root is found by walking up from this
 * module to the folder holding package.json, so the same code works from src/ (tsx, vitest) and from
 * dist/src/ (compiled).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { Confidence, Lifetime, SecretKind } from './model.js';

export { packageRoot };

const cache = new Map<string, unknown>();

/** Read and parse data/ci/<name>.json (cached). */
export function loadCiData<T>(name: string): T {
  const hit = cache.get(name);
  if (hit !== undefined) return hit as T;
  const value = JSON.parse(readFileSync(join(packageRoot(), 'data', 'ci', `${name}.json`), 'utf8')) as T;
  cache.set(name, value);
  return value;
}

export interface TokenPatternData {
  version: number;
  patterns: { id: string; kind: SecretKind; regex: string; prefixLength: number }[];
}

export interface SecretKindData {
  version: number;
  kinds: { kind: SecretKind; category: string; lifetime: Lifetime; confidence?: Confidence; names: string[] }[];
  categoryWeight: Record<string, number>;
  kindCategory: Record<string, string>;
}

export interface RotationData {
  version: number;
  kinds: Record<string, { action: 'rotate' | 'audit'; rotate: string; checkAfter: string }>;
}

export interface ActionInfo {
  installs: 'always' | 'never' | 'input';
  installInput?: string;
  installDefault?: boolean;
  dc?: boolean;
  publisher?: boolean;
  cache?: { inputs?: string[]; default?: boolean; disableInput?: string; paths?: Record<string, string> };
  cacheAction?: 'both' | 'save' | 'restore';
  artifact?: 'upload' | 'download';
  persists?: 'checkout' | 'setup-node' | 'aws' | 'gcp' | 'docker' | 'azure';
  imageBuild?: boolean;
}

export interface ActionData {
  version: number;
  actions: Record<string, ActionInfo>;
  cacheSensitivePaths: string[];
}

/** The table entry for an action name (`actions/checkout`), case-insensitive on owner/repo. */
export function actionInfo(name: string): ActionInfo | undefined {
  const data = loadCiData<ActionData>('actions');
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(data.actions)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
