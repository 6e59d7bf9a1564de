/**
 * Secret recognition without disclosure: value patterns (fingerprints only), name -> kind classification,
 * redaction of command texts. Nothing here returns or stores a secret value.
 */
import { createHash } from 'node:crypto';
import { loadCiData, type SecretKindData, type TokenPatternData } from './data.js';
import type { Confidence, Fingerprint, Lifetime, SecretKind } from './model.js';

interface CompiledPattern {
  id: string;
  kind: SecretKind;
  re: RegExp;
  prefixLength: number;
}

let compiled: CompiledPattern[] | undefined;

function patterns(): CompiledPattern[] {
  if (compiled) return compiled;
  const data = loadCiData<TokenPatternData>('token-patterns');
  compiled = data.patterns.map((p) => ({ id: p.id, kind: p.kind, re: new RegExp(p.regex, 'g'), prefixLength: p.prefixLength }));
  return compiled;
}

function sha12(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
}

/** A fingerprint of a value: public prefix (only for known token formats), hash prefix, length. */
export function fingerprint(value: string, match?: { kind: SecretKind; pattern: string; prefixLength: number }): Fingerprint {
  const fp: Fingerprint = { prefix: match ? value.slice(0, Math.min(match.prefixLength, 12)) : '', sha256: sha12(value), length: value.length };
  if (match) {
    fp.kind = match.kind;
    fp.pattern = match.pattern;
  }
  return fp;
}

/** Every known-format token in a text, as fingerprints with their offsets. */
export function findTokens(text: string): { index: number; end: number; fingerprint: Fingerprint }[] {
  const out: { index: number; end: number; fingerprint: Fingerprint }[] = [];
  for (const p of patterns()) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (out.some((o) => start < o.end && end > o.index)) continue; // earlier (more specific) pattern won
      out.push({ index: start, end, fingerprint: fingerprint(m[0], { kind: p.kind, pattern: p.id, prefixLength: p.prefixLength }) });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The fingerprint when the whole value (trimmed) is or contains a known-format token. */
export function matchToken(value: string): Fingerprint | undefined {
  const found = findTokens(value);
  return found.length > 0 ? found[0]!.fingerprint : undefined;
}

/** A short, safe rendering of a fingerprint: `npm_…#1a2b3c4d5e6f`. */
export function showFingerprint(fp: Fingerprint): string {
  return `${fp.prefix}…#${fp.sha256}`;
}

/** Replace every known-format token in a text by `<redacted:prefix…#hash>`. */
export function redactText(text: string): { text: string; found: Fingerprint[] } {
  const found = findTokens(text);
  if (found.length === 0) return { text, found: [] };
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.index) + `<redacted:${showFingerprint(f.fingerprint)}>`;
    at = f.end;
  }
  return { text: out + text.slice(at), found: found.map((f) => f.fingerprint) };
}

const PLACEHOLDER = /^(|x+|X+|\*+|changeme|change_me|change-me|todo|tbd|none|null|undefined|example|dummy|test|secret|password|token|placeholder|redacted|<.*>|\{\{.*\}\}|your[-_ ].*|.*[-_]here|xxx.*|\.\.\.)$/i;

/** True for values that are obviously not real secrets (empty, xxx, changeme, <...>, your-...). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  return PLACEHOLDER.test(v) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) || /^\$\{\{.*\}\}$/.test(v);
}

interface CompiledKind {
  kind: SecretKind;
  category: string;
  lifetime: Lifetime;
  confidence: Confidence;
  res: RegExp[];
}

let kinds: CompiledKind[] | undefined;

function kindTable(): CompiledKind[] {
  if (kinds) return kinds;
  const data = loadCiData<SecretKindData>('secret-kinds');
  kinds = data.kinds.map((k) => ({
    kind: k.kind,
    category: k.category,
    lifetime: k.lifetime,
    confidence: k.confidence ?? 'medium',
    res: k.names.map((n) => new RegExp(n, 'i')),
  }));
  return kinds;
}

export interface KindGuess {
  kind: SecretKind;
  confidence: Confidence;
  lifetime: Lifetime;
}

/** The kind a credential name suggests (secret name and aliases; first table row that matches any). */
export function classifyName(names: string[]): KindGuess | undefined {
  for (const k of kindTable()) {
    if (names.some((n) => k.res.some((re) => re.test(n)))) {
      const exact = k.kind !== 'generic' && names.some((n) => k.res[0]!.test(n));
      return { kind: k.kind, confidence: k.kind === 'generic' ? 'low' : exact ? 'high' : k.confidence, lifetime: k.lifetime };
    }
  }
  return undefined;
}

/** Whether a name looks like it holds a credential (any kind row matches). */
/**
 * A DSN whose URL carries only a public key (`https://<public-key>@sentry.example.com/7`) is not a secret by
 * itself (ci-secrets.md §3.5): a DSN with a password (`user:pass@`) still is.
 */
export function isPublicDsn(name: string | undefined, value: string): boolean {
  if (!name || !/(^|_)DSN$/i.test(name)) return false;
  const m = /^\s*["']?[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(value);
  return !!m && !m[1]!.includes(':');
}

export function looksSecretName(name: string): boolean {
  return classifyName([name]) !== undefined;
}

/** The score category of a kind (§12.4 kindWeight). */
export function kindWeight(kind: SecretKind): number {
  const data = loadCiData<SecretKindData>('secret-kinds');
  const category = data.kindCategory[kind] ?? kindTable().find((k) => k.kind === kind)?.category ?? 'generic';
  return data.categoryWeight[category] ?? 10;
}

/** Default lifetime of a kind. */
export function kindLifetime(kind: SecretKind): Lifetime {
  if (kind === 'github-token' || kind === 'job-token' || kind === 'cache-capability') return 'job-scoped';
  if (kind === 'oidc-capability') return 'short-lived';
  return kindTable().find((k) => k.kind === kind)?.lifetime ?? 'unknown';
}
