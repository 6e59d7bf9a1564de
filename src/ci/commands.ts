/**
 * Recognising dependency-code (DC) commands in shell lines (ci-secrets.md §1.2) and whether an install
 * runs lifecycle scripts (§1.1). Pure text classification.
 */
import type { Confidence } from './model.js';

export type CommandCategory = 'install' | 'download-run' | 'project-script' | 'publish' | 'node-tool';
export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun' | 'other';

export interface CommandClass {
  category: CommandCategory;
  pm: PackageManager;
  /** The segment that matched. */
  segment: string;
  /** Inline `--ignore-scripts` / `npm_config_ignore_scripts=true` on the same line (install only). */
  inlineIgnoreScripts: boolean;
  confidence: Confidence;
}

const YARN_BUILTINS = new Set([
  'add', 'install', 'up', 'upgrade', 'remove', 'config', 'cache', 'info', 'init', 'why', 'set', 'plugin', 'npm', 'dlx',
  'run', 'version', 'global', 'link', 'unlink', 'login', 'logout', 'pack', 'publish', 'audit', 'bin', 'constraints',
  'exec', 'explain', 'node', 'outdated', 'list', 'licenses', 'owner', 'tag', 'team', 'import', 'generate-lock-entry',
  'check', 'autoclean', 'help', 'policies', 'dedupe', 'patch', 'patch-commit', 'rebuild', 'search', 'stage', 'unplug',
  'workspaces', 'create', '--version', '-v',
]);
const PNPM_BUILTINS = new Set([
  'install', 'i', 'add', 'update', 'up', 'remove', 'rm', 'link', 'unlink', 'import', 'rebuild', 'rb', 'prune', 'fetch',
  'dlx', 'exec', 'run', 'test', 't', 'start', 'publish', 'pack', 'store', 'config', 'env', 'setup', 'list', 'ls',
  'outdated', 'why', 'audit', 'licenses', 'deploy', 'patch', 'patch-commit', 'server', 'init', 'doctor', 'root', 'bin',
  'create', 'approve-builds', 'ignored-builds', 'self-update', '--version', '-v', 'install-test', 'it', 'ci',
]);

/** Split a shell line on `&&`, `||`, `;`, `|`, `$(`, backticks and strip env assignments / wrappers. */
export function segments(line: string): string[] {
  return line
    .split(/&&|\|\||;|\||\$\(|`|\)/)
    .map((s) =>
      s
        .trim()
        .replace(/^(?:(?:env|sudo|time|exec|nohup|command)\s+(?:-[A-Za-z-]+\s+)*|[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)\s+)*/, '')
        .trim(),
    )
    .filter((s) => s !== '');
}

function classifySegment(seg: string): Omit<CommandClass, 'inlineIgnoreScripts' | 'segment'> | undefined {
  let s = seg;
  const corepack = s.match(/^corepack\s+(pnpm|yarn|npm)\b(.*)$/);
  if (corepack) s = `${corepack[1]}${corepack[2]}`;
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^npm\s+(?:--?[\w-]+(?:[= ]\S+)?\s+)*(\S+)/))) {
    const sub = m[1]!;
    if (/^(ci|clean-install|ic|install|i|in|ins|inst|add|isntall|install-test|it|install-ci-test|cit|rebuild|rb|update|up|upgrade)$/.test(sub)) return { category: 'install', pm: 'npm', confidence: 'high' };
    if (/^(exec|x)$/.test(sub)) return { category: 'download-run', pm: 'npm', confidence: 'high' };
    if (/^(run|run-script|rum|urn|test|t|tst|start|stop|restart)$/.test(sub)) return { category: 'project-script', pm: 'npm', confidence: 'high' };
    if (/^(publish|pack)$/.test(sub)) return { category: 'publish', pm: 'npm', confidence: 'medium' };
    return undefined;
  }
  if (/^npx\b/.test(s)) return { category: 'download-run', pm: 'npm', confidence: 'high' };
  if ((m = s.match(/^yarn(?:\s+(.*))?$/))) {
    const rest = (m[1] ?? '').trim();
    const words = rest.split(/\s+/).filter((w) => w !== '');
    const first = words.find((w) => !w.startsWith('-'));
    if (!first || first === 'install' || first === 'add' || first === 'up' || first === 'upgrade') return { category: 'install', pm: 'yarn', confidence: 'high' };
    if (first === 'dlx') return { category: 'download-run', pm: 'yarn', confidence: 'high' };
    if (first === 'npm' && words.includes('publish')) return { category: 'publish', pm: 'yarn', confidence: 'medium' };
    if (first === 'publish' || first === 'pack') return { category: 'publish', pm: 'yarn', confidence: 'medium' };
    if (first === 'run' || first === 'workspace' || first === 'workspaces' || !YARN_BUILTINS.has(first)) return { category: 'project-script', pm: 'yarn', confidence: 'high' };
    if (first === 'exec' || first === 'node') return { category: 'node-tool', pm: 'yarn', confidence: 'medium' };
    return undefined;
  }
  if ((m = s.match(/^pnpm\s+(.*)$/))) {
    const words = m[1]!.split(/\s+/);
    const first = words.find((w, i) => !w.startsWith('-') && !(i > 0 && /^--?(filter|F|C|dir)$/.test(words[i - 1]!)));
    if (words[0] === '-r' || words[0] === '--recursive' || words[0]?.startsWith('--filter') || words[0] === '-F') {
      if (first && /^(install|i|add|update|up)$/.test(first)) return { category: 'install', pm: 'pnpm', confidence: 'high' };
      if (first && /^(publish)$/.test(first)) return { category: 'publish', pm: 'pnpm', confidence: 'medium' };
      return { category: 'project-script', pm: 'pnpm', confidence: 'high' };
    }
    if (!first) return undefined;
    if (/^(install|i|add|update|up|rebuild|rb|install-test|it)$/.test(first)) return { category: 'install', pm: 'pnpm', confidence: 'high' };
    if (/^(dlx|exec|create)$/.test(first)) return { category: 'download-run', pm: 'pnpm', confidence: 'high' };
    if (/^(run|test|t|start)$/.test(first) || !PNPM_BUILTINS.has(first)) return { category: 'project-script', pm: 'pnpm', confidence: 'high' };
    if (/^(publish|pack)$/.test(first)) return { category: 'publish', pm: 'pnpm', confidence: 'medium' };
    return undefined;
  }
  if (/^bunx\b|^bun\s+x\b/.test(s)) return { category: 'download-run', pm: 'bun', confidence: 'high' };
  if ((m = s.match(/^bun\s+(\S+)/))) {
    const sub = m[1]!;
    if (/^(install|i|add)$/.test(sub)) return { category: 'install', pm: 'bun', confidence: 'high' };
    if (/^(run|test)$/.test(sub)) return { category: 'project-script', pm: 'bun', confidence: 'high' };
    if (sub === 'publish') return { category: 'publish', pm: 'bun', confidence: 'medium' };
    if (/\.(c|m)?[jt]sx?$/.test(sub)) return { category: 'node-tool', pm: 'bun', confidence: 'medium' };
    return undefined;
  }
  if (/^lerna\s+bootstrap\b|^rush\s+(install|update)\b/.test(s)) return { category: 'install', pm: 'other', confidence: 'low' };
  if (/^(turbo\s+run|turbo\s+\w|nx\s+(run|build|test|affected|run-many)|lerna\s+run|rush\s+(build|rebuild))\b/.test(s)) return { category: 'project-script', pm: 'other', confidence: 'high' };
  if (/^(changeset\s+publish|semantic-release|lerna\s+publish)\b/.test(s)) return { category: 'publish', pm: 'npm', confidence: 'medium' };
  if (/^node\s+(?!-v\b|--version\b)\S+/.test(s)) return { category: 'node-tool', pm: 'other', confidence: 'medium' };
  if (/^(tsx|ts-node|vitest|jest|mocha|eslint|prettier|tsc|next|vite|webpack|rollup|esbuild|playwright|cypress|ava|nyc|c8|gulp|grunt|astro|nuxt|ng)\b/.test(s)) return { category: 'node-tool', pm: 'other', confidence: 'high' };
  if (/^(\.\/)?node_modules\/\.bin\//.test(s)) return { category: 'node-tool', pm: 'other', confidence: 'high' };
  return undefined;
}

/** Every DC-relevant command in one shell line, in order. */
export function classifyLine(line: string): CommandClass[] {
  const inlineIgnoreScripts = /--ignore-scripts\b(?!=false)|npm_config_ignore_scripts=(?:"|')?true|NPM_CONFIG_IGNORE_SCRIPTS=(?:"|')?true/i.test(line);
  const out: CommandClass[] = [];
  for (const seg of segments(line)) {
    const c = classifySegment(seg);
    if (c) out.push({ ...c, segment: seg.length > 80 ? seg.slice(0, 77) + '...' : seg, inlineIgnoreScripts });
  }
  return out;
}

/** Major version from `pnpm@10.4.0`, `10`, `^9`, `v12`. */
export function majorOf(spec: string | undefined): number | undefined {
  const m = spec?.match(/(\d+)/);
  return m ? Number(m[1]) : undefined;
}
