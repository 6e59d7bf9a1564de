import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderChecklist } from '../../src/playbook/checklist.js';
import { defaultPlaybookPath, loadPlaybook, parsePlaybook } from '../../src/playbook/playbook.js';
import { UsageError } from '../../src/errors.js';
import { sampleReport } from '../report/sample-report.js';

const root = join(import.meta.dirname, '..', '..');

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}

const MINIMAL = `version: "1"
id: mini
title: Mini playbook
steps:
  - id: contain
    title: Contain
    purpose: Remove persistence first.
    mustPrecede: [rotate]
    tasks:
      - for: repos
        text: "Check {repo} for runners."
  - id: rotate
    title: Rotate
    purpose: Rotate.
    tasks:
      - for: secrets
        order: tier
        text: "Rotate {name} ({tier})."
`;

describe('the bundled playbook', () => {
  it('validates against schemas/playbook.schema.json with ajv', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas', 'playbook.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    const data = yaml.load(readFileSync(join(root, 'playbooks', 'response.yaml'), 'utf8'), { schema: yaml.FAILSAFE_SCHEMA });
    expect(validate.errors ?? validate(data)).toBe(true);
  });

  it('loads by default from the package root, with the response steps in order', () => {
    expect(defaultPlaybookPath()).toBe(join(root, 'playbooks', 'response.yaml'));
    const p = loadPlaybook();
    expect(p.steps.map((s) => s.id)).toEqual(['contain', 'remove', 'identify', 'rotate', 'rebuild', 'outbound', 'artifacts', 'registry', 'notify']);
    expect(p.steps[0]!.mustPrecede).toEqual(['rotate', 'registry']);
    expect(p.secretKinds?.map((k) => k.id)).toContain('generic');
  });
});

describe('parsePlaybook / loadPlaybook errors name the file in one line', () => {
  const cases: [string, string, RegExp][] = [
    ['YAML syntax', 'version: "1"\nsteps: [\n', /^team\.yaml:\d+: invalid playbook: YAML: /],
    ['missing title', MINIMAL.replace('title: Mini playbook\n', ''), /^team\.yaml: invalid playbook: \/: must have required property 'title'$/],
    ['unknown key', MINIMAL.replace('    purpose: Rotate.\n', '    purpose: Rotate.\n    colour: red\n'), /^team\.yaml: invalid playbook: \/steps\/1: must NOT have additional properties 'colour'$/],
    ['unknown rule kind', MINIMAL.replace('for: repos', 'for: planets'), /^team\.yaml: invalid playbook: \/steps\/0\/tasks\/0\/for: must be equal to one of the allowed values$/],
    ['unknown placeholder', MINIMAL.replace('{repo}', '{lockfile}'), /^team\.yaml: invalid playbook: \/steps\/0\/tasks\/0: unknown placeholder \{lockfile\} for 'repos'/],
    ['where on the wrong kind', MINIMAL.replace('order: tier', 'where: present'), /^team\.yaml: invalid playbook: \/steps\/1\/tasks\/0\/for: must be equal to constant$/],
    ['duplicate step id', MINIMAL.replace('id: rotate', 'id: contain'), /^team\.yaml: invalid playbook: \/steps\/1: duplicate step id 'contain'$/],
    ['mustPrecede unknown step', MINIMAL.replace('mustPrecede: [rotate]', 'mustPrecede: [revoke]'), /^team\.yaml: invalid playbook: \/steps\/0: mustPrecede names unknown step 'revoke'$/],
    ['wrong version', MINIMAL.replace('version: "1"', 'version: "2"'), /^team\.yaml: invalid playbook: \/version: must be equal to constant$/],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    const e = errorOf(() => parsePlaybook(text, 'team.yaml'));
    expect(e.code).toBe('USAGE');
    expect(e.oneLine()).toMatch(message);
    expect(e.oneLine()).not.toContain('\n');
  });

  it('refuses a playbook that revokes before removing persistence', () => {
    const reordered = `version: "1"
id: x
title: X
steps:
  - id: rotate
    title: Rotate
    purpose: Rotate.
    tasks:
      - for: secrets
        text: "Rotate {name}."
  - id: contain
    title: Contain
    purpose: Remove persistence first.
    mustPrecede: [rotate]
    tasks:
      - for: repos
        text: "Check {repo}."
`;
    expect(parsePlaybook(MINIMAL, 'ok.yaml').steps.map((s) => s.id)).toEqual(['contain', 'rotate']);
    expect(errorOf(() => parsePlaybook(reordered, 'team.yaml')).oneLine()).toBe(
      "team.yaml: invalid playbook: /steps/1: step 'contain' must come before step 'rotate'",
    );
  });

  it('loadPlaybook names a missing file', () => {
    const missing = join(tmpdir(), 'npm-ir-no-such-playbook.yaml');
    expect(errorOf(() => loadPlaybook(missing)).oneLine()).toBe(`${missing}: cannot read playbook (ENOENT)`);
  });
});

describe('a team playbook', () => {
  it('is loaded from a file and drives the checklist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-ir-pb-'));
    const file = join(dir, 'ours.yaml');
    writeFileSync(file, MINIMAL);
    const md = renderChecklist(sampleReport(), { playbook: loadPlaybook(file) });
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toEqual(['# Mini playbook', '## 1. Contain', '## 2. Rotate']);
    expect(md).toContain('- [ ] Check `api` for runners.\n- [ ] Check `legacy` for runners.\n- [ ] Check `web` for runners.\n');
    expect(md).toContain(
      '- [ ] Rotate `AWS_SECRET_ACCESS_KEY` (T0 direct).\n- [ ] Rotate `NPM_TOKEN` (T0 direct).\n- [ ] Rotate `SLACK_WEBHOOK` (T1 same job, later step).\n- [ ] Rotate `DEPLOY_KEY` (T4 repo-level).\n',
    );
  });
});
