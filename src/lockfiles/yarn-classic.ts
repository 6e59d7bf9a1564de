// PLACEHOLDER: replaced by the real reader.
import { LockfileError } from '../errors.js';
import type { Origin, ParseResult } from '../types.js';

export function readYarnClassicLock(_text: string, origin: Origin): ParseResult {
  throw new LockfileError('UNSUPPORTED_FORMAT', 'reader not implemented yet', { path: origin.path });
}
