/**
 * Repository files that hold or point to credentials, and package-manager settings that decide whether
 * install runs lifecycle scripts (ci-secrets.md §10, §1.1): .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml,
 * .env*, package.json, pnpm-workspace.yaml. Values are never kept: literals become fingerprints.
 */
import {
  emptyParse,
  type CiReadResult,
  type CommittedEnv,
  type Confidence,
  type Fingerprint,
  type PackageManagerSettings,
  type RegistryAuth,
  type RepoFile,
  type RepoFiles,
  type SecretKind,
  type ValueRef,
} from '../model.js';
import { fingerprint, isPlaceholder, looksSecretName, matchToken } from '../secrets.js';
import { entries, get, getEntry, isMap, parseYaml, str, strings } from '../yaml.js';

type Family = 'npmrc' | 'yarnrc-yml' | 'yarnrc' | 'bunfig' | 'env' | 'package-json' | 'pnpm-workspace';

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Which repo-file family a path belongs to, or undefined. Paths under node_modules are ignored. */
export function repoFileFamily(path: string): Family | undefined {
  if (/(^|\/)(node_modules|\.git)\//.test(path)) return undefined;
  const base = basename(path);
  if (base === '.npmrc') return 'npmrc';
  if (base === '.yarnrc.yml') return 'yarnrc-yml';
  if (base === '.yarnrc') return 'yarnrc';
  if (base === 'bunfig.toml') return 'bunfig';
  if (base === 'package.json') return 'package-json';
  if (base === 'pnpm-workspace.yaml') return 'pnpm-workspace';
  if (/^\.env(\..+)?$/.test(base) || base === '.envrc' || /\.env$/.test(base)) return 'env';
  return undefined;
}

export function isRepoCredentialFile(path: string): boolean {
  return repoFileFamily(path) !== undefined;
}

/** Kind of a registry credential from its host (§10.1). */
export function registryKind(host: string): SecretKind {
  const h = host.toLowerCase();
  if (h.includes('npm.pkg.github.com')) return 'github-pat';
  if (h.includes('pkgs.dev.azure.com') || h.includes('visualstudio.com')) return 'azure';
  if (/\/api\/v4\/(projects|groups)\/[^/]+\/packages\/npm/.test(h)) return 'ci-platform';
  return 'npm-token';
}

/** `${VAR}`, `${VAR?}`, `${VAR:-x}`, `$VAR` -> var ref; else a literal fingerprint (undefined for placeholders). */
function credValue(raw: string): ValueRef | undefined {
  const v = raw.trim().replace(/^["']|["']$/g, '');
  const m = v.match(/^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\?|:-[^}]*)?\}$/) ?? v.match(/^\$([A-Za-z_][A-Za-z0-9_]*)$/);
  if (m) return { type: 'var', name: m[1]! };
  if (isPlaceholder(v)) return undefined;
  return { type: 'literal-secret', fingerprint: literalFingerprint(v) };
}

function literalFingerprint(v: string): Fingerprint {
  return matchToken(v) ?? fingerprint(v);
}

function readNpmrc(file: RepoFile, auth: RegistryAuth[], settings: PackageManagerSettings[]): void {
  const s: PackageManagerSettings = { file: file.path, dir: dirname(file.path) };
  file.text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const m = key.match(/^(\/\/.*?):?(_authToken|_auth|_password|username|email|certfile|keyfile)$/) ?? key.match(/^()(_authToken|_auth|_password)$/);
    if (m && m[2] !== 'username' && m[2] !== 'email' && m[2] !== 'certfile' && m[2] !== 'keyfile') {
      const ref = credValue(value);
      if (!ref) return;
      const host = m[1]!;
      auth.push({ file: file.path, line: i + 1, host, key: m[2]!, value: ref, kind: registryKind(host) });
      return;
    }
    if (key === 'ignore-scripts') s.ignoreScripts = /^true$/i.test(value);
  });
  if (s.ignoreScripts !== undefined) settings.push(s);
}

function readYarnrcYml(file: RepoFile, auth: RegistryAuth[], settings: PackageManagerSettings[]): string | undefined {
  const parsed = parseYaml(file.text);
  if (!parsed.ok) return parsed.reason + (parsed.line ? ` (line ${parsed.line})` : '');
  const y = parsed.file;
  const root = y.root;
  if (root !== null && !isMap(root)) return '.yarnrc.yml is not a YAML mapping';
  const take = (node: unknown, host: string, scope?: string) => {
    for (const key of ['npmAuthToken', 'npmAuthIdent']) {
      const e = getEntry(y, node, key);
      if (!e) continue;
      const ref = credValue(str(y, e.value) ?? '');
      if (ref) auth.push({ file: file.path, line: e.line, host, key, value: ref, kind: registryKind(host), ...(scope ? { scope } : {}) });
    }
  };
  take(root, str(y, get(y, root, 'npmRegistryServer')) ?? '');
  for (const e of entries(y, get(y, root, 'npmRegistries'))) take(e.value, e.key);
  for (const e of entries(y, get(y, root, 'npmScopes'))) take(e.value, str(y, get(y, e.value, 'npmRegistryServer')) ?? '', e.key);
  const enable = str(y, get(y, root, 'enableScripts'));
  if (enable !== undefined) settings.push({ file: file.path, dir: dirname(file.path), enableScripts: enable !== 'false', line: getEntry(y, root, 'enableScripts')!.line });
  return undefined;
}

function readYarnrc(file: RepoFile, auth: RegistryAuth[], settings: PackageManagerSettings[]): void {
  file.text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = line.match(/^("[^"]+"|\S+)\s+(.+)$/);
    if (!m) return;
    const key = m[1]!.replace(/^"|"$/g, '');
    const a = key.match(/^(\/\/.*?):?(_authToken|_auth|_password)$/);
    if (a) {
      const ref = credValue(m[2]!);
      if (ref) auth.push({ file: file.path, line: i + 1, host: a[1]!, key: a[2]!, value: ref, kind: registryKind(a[1]!) });
    } else if (key === 'ignore-scripts') {
      settings.push({ file: file.path, dir: dirname(file.path), ignoreScripts: /^"?true"?$/.test(m[2]!.trim()), line: i + 1 });
    }
  });
}

function readBunfig(file: RepoFile, auth: RegistryAuth[]): void {
  let section = '';
  file.text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/\s+#.*$/, '').trim();
    const sec = line.match(/^\[([^\]]+)\]$/);
    if (sec) {
      section = sec[1]!;
      return;
    }
    for (const t of line.matchAll(/\b(token|password)\s*=\s*"([^"]*)"/g)) {
      const ref = credValue(t[2]!);
      if (!ref) continue;
      const host = line.match(/\burl\s*=\s*"([^"]+)"/)?.[1] ?? section;
      const scope = line.match(/^"?(@?[\w.-]+)"?\s*=\s*\{/)?.[1];
      auth.push({ file: file.path, line: i + 1, host, key: t[1]!, value: ref, kind: registryKind(host), ...(scope ? { scope } : {}) });
    }
  });
}

function readEnvFile(file: RepoFile, out: CommittedEnv[]): void {
  const base = basename(file.path).toLowerCase();
  const example = /(example|sample|template|dist|defaults?)$/.test(base) || /\.(example|sample|template)\./.test(base);
  file.text.split(/\r?\n/).forEach((rawLine, i) => {
    const m = rawLine.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/);
    if (!m) return;
    const name = m[1]!;
    let value = m[2]!.trim();
    if (/^["']/.test(value)) value = value.replace(/^(["'])(.*?)\1.*$/, '$2');
    else value = value.replace(/\s+#.*$/, '');
    if (isPlaceholder(value) || /^\$\{?[A-Za-z_]/.test(value)) return;
    const token = matchToken(value);
    if (!token && !looksSecretName(name)) return;
    const confidence: Confidence = example ? 'low' : token ? 'high' : 'medium';
    out.push({ file: file.path, line: i + 1, name, fingerprint: token ?? fingerprint(value), confidence });
  });
}

function lineOf(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  return i < 0 ? undefined : text.slice(0, i).split('\n').length;
}

function readPackageJson(file: RepoFile, settings: PackageManagerSettings[]): string | undefined {
  let pkg: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(file.text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'package.json is not a JSON object';
    pkg = v as Record<string, unknown>;
  } catch (e) {
    return `invalid JSON: ${(e as Error).message}`;
  }
  const s: PackageManagerSettings = { file: file.path, dir: dirname(file.path) };
  const keys = (v: unknown): string[] | undefined =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : v && typeof v === 'object' ? Object.keys(v) : undefined;
  if (typeof pkg.packageManager === 'string') s.packageManager = pkg.packageManager;
  const allow = keys(pkg.allowScripts);
  if (allow) s.allowScripts = allow;
  const pnpm = pkg.pnpm as Record<string, unknown> | undefined;
  const built = keys(pnpm?.onlyBuiltDependencies) ?? keys(pnpm?.allowBuilds);
  if (built) s.onlyBuiltDependencies = built;
  const trusted = keys(pkg.trustedDependencies);
  if (trusted) s.trustedDependencies = trusted;
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  const publish = ['prepublish', 'prepublishOnly', 'prepack', 'prepare', 'postpack', 'publish', 'postpublish'].filter((k) => typeof scripts[k] === 'string');
  if (publish.length > 0) s.publishScripts = publish;
  const line = lineOf(file.text, '"packageManager"') ?? lineOf(file.text, '"allowScripts"');
  if (line) s.line = line;
  if (Object.keys(s).length > 2) settings.push(s);
  return undefined;
}

function readPnpmWorkspace(file: RepoFile, settings: PackageManagerSettings[]): string | undefined {
  const parsed = parseYaml(file.text);
  if (!parsed.ok) return parsed.reason + (parsed.line ? ` (line ${parsed.line})` : '');
  const y = parsed.file;
  const built = strings(y, get(y, y.root, 'onlyBuiltDependencies'));
  const allow = entries(y, get(y, y.root, 'allowBuilds')).map((e) => e.key);
  if (built.length > 0 || allow.length > 0) settings.push({ file: file.path, dir: dirname(file.path), onlyBuiltDependencies: [...built, ...allow] });
  return undefined;
}

/** The reader for every repo-file family. */
export function readRepoFile(file: RepoFile, _repo: RepoFiles): CiReadResult {
  const family = repoFileFamily(file.path);
  const parse = emptyParse('repo-file', file.path);
  let error: string | undefined;
  switch (family) {
    case 'npmrc':
      readNpmrc(file, parse.registryAuth, parse.settings);
      break;
    case 'yarnrc-yml':
      error = readYarnrcYml(file, parse.registryAuth, parse.settings);
      break;
    case 'yarnrc':
      readYarnrc(file, parse.registryAuth, parse.settings);
      break;
    case 'bunfig':
      readBunfig(file, parse.registryAuth);
      break;
    case 'env':
      readEnvFile(file, parse.committedEnv);
      break;
    case 'package-json':
      error = readPackageJson(file, parse.settings);
      break;
    case 'pnpm-workspace':
      error = readPnpmWorkspace(file, parse.settings);
      break;
    default:
      error = 'not a repository credential file';
  }
  if (error) return { gap: { path: file.path, code: 'CI_PARSE_ERROR', reason: error } };
  for (const a of parse.registryAuth) {
    if (a.value.type === 'literal-secret') parse.literals.push({ file: a.file, line: a.line, name: `${a.host}:${a.key}`, fingerprint: a.value.fingerprint });
  }
  return parse;
}
