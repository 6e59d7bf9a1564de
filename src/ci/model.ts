/**
 * The normalised CI model (ci-secrets.md §11.1 step 2). Every CI reader (GitHub Actions, GitLab CI,
 * CircleCI, Jenkins, Azure Pipelines, Bitbucket, Travis, Dockerfiles) turns one file into this shape;
 * the analysis pass (src/ci/analysis.ts) then marks dependency-code (DC) steps, propagates what is
 * available in order and assigns tiers. Readers are syntactic: they say WHAT is referenced WHERE and
 * which side effects a step has; they never decide tiers.
 *
 * Hard rule: nothing in this model holds a secret value. A literal that looks like a credential is kept
 * only as a `Fingerprint` (a few leading characters + a hash prefix); command texts are redacted with
 * `redactText()` from src/ci/secrets.ts before they are stored.
 *
 * Lines are 1-based lines in `file` (the file the construct is written in: a local action's steps carry
 * the action.yml path, an included GitLab template its own path).
 */
import type { Gap } from '../types.js';

// ---------------------------------------------------------------------------------------------------
// Input: the files of one repository, at the working tree or at a commit.

/** The files of one repository: a working tree, or the git tree of one commit. Paths are POSIX, relative. */
export interface RepoFiles {
  /** Every file path in the repository (no directories). */
  list(): string[];
  /** The text of a file, or undefined when it does not exist or cannot be read as text. */
  read(path: string): string | undefined;
}

/** One file handed to a reader. */
export interface RepoFile {
  path: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------------
// Systems, kinds, tiers.

/** Same spellings as SecretExposure.system in src/report/model.ts. */
export type CiSystem =
  | 'github-actions'
  | 'gitlab-ci'
  | 'circleci'
  | 'jenkins'
  | 'azure-pipelines'
  | 'bitbucket'
  | 'travis'
  | 'dockerfile'
  | 'repo-file';

/** Credential kinds (ci-secrets.md §13). Data: data/ci/secret-kinds.json. */
export type SecretKind =
  | 'npm-token' // npm (or other npm-protocol registry) publish/read token
  | 'github-pat' // GitHub PAT / OAuth / App key
  | 'github-token' // the job-scoped GITHUB_TOKEN
  | 'oidc-capability' // ability to mint OIDC tokens (id-token: write, GitLab id_tokens, ...)
  | 'aws'
  | 'gcp'
  | 'azure'
  | 'container-registry'
  | 'signing'
  | 'ai-api'
  | 'chat-webhook'
  | 'ci-platform' // CI/PaaS/infra tokens: GitLab, CircleCI, Vercel, Vault, deploy/SSH keys...
  | 'database'
  | 'other-registry' // PyPI, crates.io, RubyGems, NuGet, VS Code Marketplace, Open VSX...
  | 'observability' // Sentry, Datadog, Codecov, Stripe, SendGrid...
  | 'cache-capability' // write access to the CI cache (poisoning future runs)
  | 'job-token' // other job-scoped platform tokens: CI_JOB_TOKEN, System.AccessToken
  | 'runner-host' // credentials held by a persistent runner host (IMDS role, ~/.npmrc, docker config)
  | 'secret-store' // a whole store whose names are not visible (toJSON(secrets), inherit, project vars)
  | 'generic';

export type Confidence = 'high' | 'medium' | 'low';

// ---------------------------------------------------------------------------------------------------
// Symbolic values.

/** A literal credential found in a committed file, identified without revealing it. */
export interface Fingerprint {
  /** The first few characters, only when they are a public token prefix (`npm_`, `ghp_`, `AKIA`); else ''. */
  prefix: string;
  /** First 12 hex characters of sha256(value). Lets responders match a value they hold, reveals nothing. */
  sha256: string;
  length: number;
  /** Kind recognised from the value pattern (data/ci/token-patterns.json), when one matched. */
  kind?: SecretKind;
  /** Pattern id that matched, e.g. 'npm', 'github-classic-pat'. */
  pattern?: string;
}

/** One thing a value refers to. */
export type ValueRef =
  /** A secret from a CI secret store: `${{ secrets.X }}`, Jenkins `credentials('id')`, Azure secret `$(X)`. */
  | { type: 'secret'; name: string; store?: string }
  /** A variable: `$VAR`, `${VAR}`, `${{ env.X }}`, `${{ vars.X }}`, GitLab/Azure variables. */
  | { type: 'var'; name: string; scope?: 'env' | 'vars' | 'ci' }
  /** A platform-provided credential: `${{ github.token }}`, `secrets.GITHUB_TOKEN`, CI_JOB_TOKEN, System.AccessToken. */
  | { type: 'platform'; name: string }
  /** Every secret of the store: `toJSON(secrets)`, `secrets[format(...)]`, `secrets: inherit`. */
  | { type: 'all-secrets'; expr: string }
  /** A committed literal that looks like a credential. Only the fingerprint is kept. */
  | { type: 'literal-secret'; fingerprint: Fingerprint }
  /** An expression that cannot be resolved statically (`fromJSON(...)`, `needs.x.outputs.y`). */
  | { type: 'opaque-expr'; expr: string };

/** A value as written, with its references. */
export interface Value {
  /**
   * The text as written with literal credentials replaced by `<redacted:prefix…#hash>`; null when the
   * whole value was a secret-looking literal (a `KEY=...` whose key names a secret).
   */
  text: string | null;
  refs: ValueRef[];
}

/** Where an env entry was declared (decides its reach). */
export type EnvScope =
  | 'workflow' // GitHub workflow env, GitLab global variables, Azure pipeline variables, Jenkins pipeline environment
  | 'job' // job/stage env
  | 'step' // step env
  | 'executor' // CircleCI executor / image env
  | 'exported' // written by an earlier step ($GITHUB_ENV, setvariable, action exports)
  | 'platform'; // put there by the platform (OIDC request vars, CI_JOB_TOKEN...)

export interface EnvVar {
  name: string;
  value: Value;
  line: number;
  scope: EnvScope;
  /** The file the entry is written in when it differs from the job's file. */
  file?: string;
}

/** A `with:` input / task input / orb parameter. */
export interface Input {
  name: string;
  value: Value;
  line: number;
}

/** One shell command line (or a logical line of a multi-line script), redacted. */
export interface Command {
  text: string;
  line: number;
  /** Shell: bash, sh, pwsh, cmd, groovy-sh... when known. */
  shell?: string;
  /**
   * What the command text refers to: values templated into the script before it runs
   * (`${{ secrets.X }}`, Azure `$(X)`) as secret/platform refs, and shell reads (`$VAR`, `${VAR}`) as
   * var refs. Templated secrets are in the step's process (script file) even without an env entry.
   */
  refs?: ValueRef[];
}

// ---------------------------------------------------------------------------------------------------
// Side effects (ci-secrets.md §2.2b, §2.4, §2.7, §11.1).

export type SideEffect =
  /** A step makes NAME part of the env of every later step of the job ($GITHUB_ENV, setvariable, action exports). */
  | { type: 'env-export'; name: string; value: Value; line: number; by: string }
  /** A step prepends to PATH for later steps ($GITHUB_PATH). */
  | { type: 'path-export'; line: number }
  /** A step writes a value into a file (`echo ... > ~/.npmrc`). The file persists for later steps. */
  | { type: 'file-write'; path: string; value: Value; line: number }
  /**
   * A step leaves a credential on disk or in the environment for the rest of the job
   * (checkout persisted token, setup-node .npmrc, docker/login, cloud login, npmAuthenticate).
   */
  | {
      type: 'cred-persist';
      /** Credential name as it should be reported: 'GITHUB_TOKEN', a secret name, 'AWS session (role cdn-deploy)'. */
      name: string;
      kind: SecretKind;
      /** How the credential is held: file path or 'env'. */
      where: string;
      /** The value references that end up persisted (secret names etc.). Empty for platform tokens. */
      refs: ValueRef[];
      lifetime: Lifetime;
      line: number;
      /** Env names the credential is exported under for later steps (AWS_ACCESS_KEY_ID, NODE_AUTH_TOKEN). */
      exports?: string[];
      note?: string;
    }
  | {
      type: 'cache-save';
      /** Key template as written (expressions kept, e.g. `nm-${{ hashFiles('pnpm-lock.yaml') }}`). */
      key: string;
      paths: string[];
      /** Runs at the end of the job (post step), after every main step. */
      post: boolean;
      line: number;
      action?: string;
      /** The file the cache is declared in when it differs from the step's (a GitLab template include). */
      file?: string;
    }
  | { type: 'cache-restore'; key: string; restoreKeys: string[]; paths: string[]; line: number; action?: string; file?: string }
  | { type: 'artifact-upload'; name: string; paths: string[]; line: number }
  | { type: 'artifact-download'; name: string; line: number }
  /** A Docker image build; `args` maps build-arg/secret names to values (for the Dockerfile reader to join). */
  | { type: 'image-build'; dockerfile?: string; args: Input[]; line: number };

export type Lifetime = 'long-lived' | 'job-scoped' | 'short-lived' | 'unknown';

// ---------------------------------------------------------------------------------------------------
// Pipeline -> Job -> Step.

export type StepKind =
  | 'run' // shell script
  | 'uses' // GitHub action
  | 'task' // Azure task
  | 'orb' // CircleCI orb command
  | 'pipe' // Bitbucket pipe
  | 'checkout' // a platform checkout step (CircleCI `checkout`, Azure `checkout: self`)
  | 'builtin'; // other platform step (add_ssh_keys, persist_to_workspace, save_cache...)

/** A reference to an action/orb/task/pipe/template. */
export interface UsesRef {
  /** As written: `actions/checkout@v4`, `./.github/actions/setup`, `circleci/node@6`, `Npm@1`. */
  ref: string;
  /** Without the version: `actions/checkout`, `./.github/actions/setup`. */
  name: string;
  version?: string;
  local: boolean;
  /** A local action/template the reader resolved and expanded (path of its file). */
  resolvedFile?: string;
}

export interface Step {
  /** 0-based position in the job (post steps and expanded composite steps keep their parent's index). */
  index: number;
  /** The step's `id:` when given. */
  id?: string;
  name?: string;
  /** Display label: name, else the first command, else the uses ref. Used in reports. */
  label: string;
  line: number;
  /** The file the step is written in when it differs from the job's file (composite actions). */
  file?: string;
  kind: StepKind;
  uses?: UsesRef;
  commands: Command[];
  env: EnvVar[];
  with: Input[];
  /** `if:` / `when:` as written (expressions kept). */
  condition?: string;
  workingDirectory?: string;
  effects: SideEffect[];
  /** Steps of a local composite action this step runs, in order (already expanded). */
  composite?: Step[];
  /** 'post' for GitLab after_script-like phases that run in a separate shell (T1 rule). */
  phase?: 'main' | 'post';
  /** A secret is referenced inside `if:` only (it reaches the runner, not the env). */
  conditionRefs?: ValueRef[];
}

export type RunnerType = 'hosted' | 'self-hosted' | 'unknown';

export interface Runner {
  type: RunnerType;
  /** Labels / image / pool / agent label as written. */
  labels: string[];
  os?: 'linux' | 'macos' | 'windows' | 'unknown';
  /** Whether the host survives the job (self-hosted non-ephemeral, shell executors, static agents). */
  persistent?: boolean;
  line: number;
  /** The runner is chosen by an expression or matrix the reader could not resolve. */
  expression?: boolean;
}

/** One trigger (`on:` event; GitLab rules/only; Azure trigger/pr; CircleCI filters). */
export interface Trigger {
  /** push, pull_request, pull_request_target, workflow_run, schedule, workflow_dispatch, release, workflow_call, tag, merge_request... */
  event: string;
  /** Branch/tag/type filters as written, e.g. `tags: v*`, `types: labeled`. */
  filters: string[];
  line: number;
}

/**
 * Permissions of the job-scoped platform token. `undefined` on a job means "not written at this level".
 * `scopes` maps scope -> 'read' | 'write' | 'none'; `shorthand` holds read-all / write-all / {}.
 */
export interface Permissions {
  shorthand?: 'read-all' | 'write-all' | 'none';
  scopes: Record<string, 'read' | 'write' | 'none'>;
  line: number;
  /** Line of each scope key, e.g. `{ 'id-token': 12 }`. */
  scopeLines?: Record<string, number>;
}

/** A credential the platform or the job declaration makes available to the whole job (or from a step on). */
export interface JobCredential {
  /** Name to report: 'CI_JOB_TOKEN', 'VAULT_ID_TOKEN', 'context:npm-publish', 'GITHUB_TOKEN'. */
  name: string;
  kind?: SecretKind;
  source:
    | 'ci-secret'
    | 'ci-variable'
    | 'context'
    | 'variable-group'
    | 'credentials-binding'
    | 'vault'
    | 'platform-token'
    | 'oidc-capability'
    | 'cache-capability'
    | 'runner-host'
    | 'committed-file'
    | 'opaque-store'
    | 'service-connection'
    | 'ssh-key';
  /** Whether the value sits in the process environment of the job's steps (true) or only in files/memory. */
  inEnv: boolean;
  /** First step index from which it is available (undefined: the whole job). */
  fromStep?: number;
  /** Last step index it is available to (scoped blocks: Jenkins withCredentials). */
  toStep?: number;
  line: number;
  file?: string;
  lifetime: Lifetime;
  /** For opaque stores: why names are unknown and how to list them. */
  opaque?: Opaque;
  /** Refs the credential is built from (e.g. `container.credentials.password: ${{ secrets.X }}`). */
  refs?: ValueRef[];
  note?: string;
}

/** Something the reader could not see into: a remote template, an org secret store, an unknown action. */
export interface Opaque {
  what: string;
  reason: string;
  /** The exact API call, CLI command or settings page that resolves it. */
  resolveWith: string;
}

/** A reusable-workflow / template call from a job. */
export interface JobCall {
  uses: UsesRef;
  line: number;
  /** `secrets: inherit` (GitHub): the callee receives every secret of the caller. */
  secretsInherit: boolean;
  /** Explicit `secrets:` map: callee name -> caller value. */
  secrets: Input[];
  with: Input[];
}

export interface Job {
  /** Job id as written (`publish`); for jobs of a called workflow: `caller/callee-job`. */
  id: string;
  name?: string;
  /** The file the job is written in (callee file for expanded reusable workflows). */
  file: string;
  line: number;
  runner: Runner;
  env: EnvVar[];
  /** Job-level permissions as written (GitHub); effective permissions are computed in the analysis. */
  permissions?: Permissions;
  /** `environment:` name (GitHub/GitLab/Bitbucket deployment). */
  environment?: { name: string; line: number };
  needs: string[];
  condition?: string;
  steps: Step[];
  /** Platform/job-level credentials (see JobCredential). */
  credentials: JobCredential[];
  /**
   * All steps share one shell environment (GitLab before_script+script, CircleCI, Travis, Bitbucket step):
   * a DC command anywhere makes every env entry of the job T0.
   */
  sharedEnv?: boolean;
  /** A reusable-workflow call (GitHub `jobs.<id>.uses`). Its expanded jobs are in `calledJobs`. */
  call?: JobCall;
  /** Jobs of a local called workflow, already expanded with secrets mapped to the caller's names. */
  calledJobs?: Job[];
  /** Triggers of this job when they differ from the pipeline's (GitLab rules). */
  triggers?: Trigger[];
  opaque: Opaque[];
}

export interface Pipeline {
  system: CiSystem;
  /** Workflow/pipeline file. */
  file: string;
  name?: string;
  line: number;
  triggers: Trigger[];
  /** Pipeline-wide env (GitHub workflow env, GitLab global variables...). Also copied nowhere: jobs inherit it. */
  env: EnvVar[];
  permissions?: Permissions;
  jobs: Job[];
  /** Secrets a reusable workflow declares in `on.workflow_call.secrets`. */
  declaredSecrets?: string[];
  opaque: Opaque[];
}

// ---------------------------------------------------------------------------------------------------
// Repository files that hold or point to credentials (§10) and package-manager settings (§1.1).

/** A registry credential in .npmrc / .yarnrc.yml / .yarnrc / bunfig.toml. */
export interface RegistryAuth {
  file: string;
  line: number;
  /** `//registry.npmjs.org/`, `//npm.pkg.github.com/`, or '' for a top-level legacy key. */
  host: string;
  /** The key: _authToken, _auth, _password, npmAuthToken, npmAuthIdent, token... */
  key: string;
  /** `var` for ${NPM_TOKEN}, `literal-secret` for a committed value. */
  value: ValueRef;
  scope?: string;
  /** Kind implied by the host (§10.1). */
  kind: SecretKind;
}

/** A KEY=VALUE in a committed env file (.env, .env.production...). Value kept only as a fingerprint. */
export interface CommittedEnv {
  file: string;
  line: number;
  name: string;
  fingerprint: Fingerprint;
  /** low for .env.example / .sample / .template files. */
  confidence: Confidence;
}

/** Settings that decide whether install runs lifecycle scripts (§1.1). */
export interface PackageManagerSettings {
  file: string;
  /** Directory the settings apply to ('' for the repository root). */
  dir: string;
  ignoreScripts?: boolean;
  /** Yarn Berry enableScripts. */
  enableScripts?: boolean;
  /** package.json packageManager field, e.g. `pnpm@10.4.0`. */
  packageManager?: string;
  /** npm >= 11.16 allowScripts keys (root package.json). */
  allowScripts?: string[];
  /** pnpm onlyBuiltDependencies / allowBuilds. */
  onlyBuiltDependencies?: string[];
  /** bun trustedDependencies. */
  trustedDependencies?: string[];
  /** The root package's own lifecycle scripts that a publish/pack runs (prepack, prepare, prepublishOnly). */
  publishScripts?: string[];
  line?: number;
}

// ---------------------------------------------------------------------------------------------------
// Reader output and interface.

/** Everything a reader understood in one file (and the local files it pulled in). */
export interface CiParse {
  system: CiSystem;
  /** The file read. */
  file: string;
  /** Every file the reader read for this parse (the file, local actions, called workflows, includes). */
  files: string[];
  pipelines: Pipeline[];
  registryAuth: RegistryAuth[];
  committedEnv: CommittedEnv[];
  settings: PackageManagerSettings[];
  /** Literal credentials found anywhere in the file(s) (workflow literals, Dockerfile ENV...). */
  literals: { file: string; line: number; name: string; fingerprint: Fingerprint }[];
  /** Places inside this parse that could not be read (missing local action, bad included YAML). */
  gaps: Gap[];
  warnings: { code: string; message: string; file: string; line?: number }[];
}

/** A file that could not be read at all becomes a gap (never silence). */
export interface CiGap {
  gap: Gap;
}

export type CiReadResult = CiParse | CiGap;

/** A reader: pure (file, repo) -> parse or gap. `repo` is only for local includes/actions/templates. */
export type CiReader = (file: RepoFile, repo: RepoFiles) => CiReadResult;

export function isCiGap(r: CiReadResult): r is CiGap {
  return (r as CiGap).gap !== undefined;
}

/** An empty parse to fill in. */
export function emptyParse(system: CiSystem, file: string): CiParse {
  return {
    system,
    file,
    files: [file],
    pipelines: [],
    registryAuth: [],
    committedEnv: [],
    settings: [],
    literals: [],
    gaps: [],
    warnings: [],
  };
}

/** A registry entry: which files a reader reads. */
export interface CiReaderEntry {
  system: CiSystem;
  /** Human description for docs. */
  description: string;
  /** Whether a repo path is this reader's input (called on every path from RepoFiles.list()). */
  match(path: string): boolean;
  read: CiReader;
}
