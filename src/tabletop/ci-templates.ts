/**
 * Realistic CI files for tabletop repositories: GitHub Actions workflows whose install step runs dependency
 * code with the scenario's secrets in the job environment (T0 in ci-secrets.md terms), and `.npmrc` files
 * that read `${NPM_TOKEN}` from the environment.
 */
import type { GenFormat } from '../generate/lockfiles.js';
import type { ScenarioCi } from './scenario.js';

interface Tooling {
  setup: string[];
  install: string;
  run: (script: string) => string;
  publish: string;
}

function tooling(format: GenFormat): Tooling {
  const node = ['      - uses: actions/setup-node@v4', '        with:', "          node-version: '20'"];
  switch (format) {
    case 'npm':
      return { setup: [...node, '          cache: npm'], install: 'npm ci', run: (s) => `npm run ${s}`, publish: 'npm publish' };
    case 'yarn-classic':
      return { setup: [...node, '          cache: yarn'], install: 'yarn install --frozen-lockfile', run: (s) => `yarn ${s}`, publish: 'npm publish' };
    case 'yarn-berry':
      return { setup: [...node, '      - run: corepack enable'], install: 'yarn install --immutable', run: (s) => `yarn ${s}`, publish: 'yarn npm publish' };
    case 'pnpm':
      return {
        setup: ['      - uses: pnpm/action-setup@v4', '        with:', '          version: 9', ...node, '          cache: pnpm'],
        install: 'pnpm install --frozen-lockfile',
        run: (s) => `pnpm run ${s}`,
        publish: 'pnpm publish --no-git-checks',
      };
    case 'bun':
      return { setup: ['      - uses: oven-sh/setup-bun@v2', ...node], install: 'bun install --frozen-lockfile', run: (s) => `bun run ${s}`, publish: 'npm publish' };
  }
}

function envBlock(secrets: string[], indent: string): string[] {
  if (secrets.length === 0) return [];
  return [`${indent}env:`, ...secrets.map((s) => `${indent}  ${s}: \${{ secrets.${s} }}`)];
}

/** The workflow text for a CI entry of a scenario repository. */
export function workflowText(ci: ScenarioCi, format: GenFormat): string {
  if (ci.text !== undefined) return ci.text.endsWith('\n') ? ci.text : ci.text + '\n';
  const t = tooling(format);
  const secrets = [...(ci.secrets ?? [])];
  const checkout = ['      - uses: actions/checkout@v4'];
  switch (ci.template ?? 'test') {
    case 'test':
      return [
        'name: ci',
        'on:',
        '  push:',
        '    branches: [main]',
        '  pull_request:',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        ...envBlock(secrets, '    '),
        '    steps:',
        ...checkout,
        ...t.setup,
        `      - run: ${t.install}`,
        `      - run: ${t.run('build')}`,
        `      - run: ${t.run('test')}`,
        '',
      ].join('\n');
    case 'publish': {
      const jobSecrets = secrets.filter((s) => s !== 'NPM_TOKEN');
      return [
        'name: release',
        'on:',
        '  push:',
        "    tags: ['v*']",
        'permissions:',
        '  contents: write',
        'jobs:',
        '  publish:',
        '    runs-on: ubuntu-latest',
        ...envBlock(jobSecrets, '    '),
        '    steps:',
        ...checkout,
        ...t.setup.map((l) => (l === "          node-version: '20'" ? `${l}\n          registry-url: 'https://registry.npmjs.org'` : l)),
        `      - run: ${t.install}`,
        ...(secrets.includes('NPM_TOKEN') ? ['        env:', '          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}'] : []),
        `      - run: ${t.run('build')}`,
        `      - run: ${t.publish}`,
        ...(secrets.includes('NPM_TOKEN') ? ['        env:', '          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}'] : []),
        '',
      ].join('\n');
    }
    case 'deploy':
      return [
        'name: deploy',
        'on:',
        '  push:',
        '    branches: [main]',
        'permissions:',
        '  contents: read',
        '  id-token: write',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    environment: production',
        ...envBlock(secrets, '    '),
        '    steps:',
        ...checkout,
        ...t.setup,
        `      - run: ${t.install}`,
        `      - run: ${t.run('build')}`,
        '      - run: ./scripts/deploy.sh dist/',
        '',
      ].join('\n');
  }
}

/** `.npmrc` of a publishing repository: the token comes from the environment, never the file. */
export function npmrcText(): string {
  return ['registry=https://registry.npmjs.org/', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}', ''].join('\n');
}
