import type { Rule } from './rule.js';
import { ruleFinding, ZIZMOR_DOCS } from './rule.js';

const HIGH = new Set(['contents', 'id-token', 'packages', 'actions', 'deployments', 'security-events']);

export const excessivePermissions: Rule = {
  id: 'excessive-permissions',
  description: 'the job token has write scopes, or permissions are left to the repository default',
  docsUrl: `${ZIZMOR_DOCS}excessive-permissions`,
  appliesTo: ['github-actions'],
  checkJob(job, pipeline) {
    if (job.call) return [];
    const p = job.permissions ?? pipeline.permissions;
    const at = { file: job.permissions ? job.file : pipeline.file, line: p?.line ?? job.line, job: job.id };
    if (!p) return [ruleFinding(this, at, 'medium', 'low', 'no permissions: block; the repository default applies (check Settings > Actions > Workflow permissions)')];
    if (p.shorthand === 'write-all') return [ruleFinding(this, at, 'high', 'high', 'permissions: write-all')];
    const writes = Object.entries(p.scopes).filter(([, v]) => v === 'write').map(([k]) => k);
    if (writes.length === 0) return [];
    const sev = writes.some((w) => HIGH.has(w)) ? 'high' : 'medium';
    return [ruleFinding(this, at, sev, 'high', `job token can write: ${writes.join(', ')}`)];
  },
};
