import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { packageNameError, parseSpec, readSpec, splitVersions } from '../../src/targets/index.js';

describe('parseSpec: valid specs', () => {
  it.each([
    ['@ctrl/tinycolor@4.1.1', '@ctrl/tinycolor', '4.1.1'],
    ['chalk@5.6.1', 'chalk', '5.6.1'],
    ['debug@">=4.4.2 <4.4.3 || 4.4.5"', 'debug', '>=4.4.2 <4.4.3 || 4.4.5'],
    ['debug@>=4.4.2 <4.4.3 || 4.4.5', 'debug', '>=4.4.2 <4.4.3 || 4.4.5'],
    ["debug@'4.4.2'", 'debug', '4.4.2'],
    ['colors@1.4.44-liberty-2', 'colors', '1.4.44-liberty-2'],
    ['flatmap-stream', 'flatmap-stream', '*'],
    ['flatmap-stream@*', 'flatmap-stream', '*'],
    ['flatmap-stream@x', 'flatmap-stream', '*'],
    ['@nx/devkit', '@nx/devkit', '*'],
    ['npm:ua-parser-js@0.7.29', 'ua-parser-js', '0.7.29'],
    ['npm:ua-parser-js:0.8.0', 'ua-parser-js', '0.8.0'],
    ['NPM:@ctrl/tinycolor:4.1.2', '@ctrl/tinycolor', '4.1.2'],
    ['ua-parser-js:1.0.0', 'ua-parser-js', '1.0.0'],
    ['docker:1.0.0', 'docker', '1.0.0'],
    ['npm:1.0.0', 'npm', '1.0.0'],
    ['pkg:npm/%40ctrl/tinycolor@4.1.1', '@ctrl/tinycolor', '4.1.1'],
    ['rc@>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0', 'rc', '>=1.2.9 <1.3.0 || >=1.3.9 <1.4.0'],
    ['rc@>= 1.2.9, < 1.3.0', 'rc', '>=1.2.9 <1.3.0'],
    ['node-ipc@10.1.1, 10.1.2', 'node-ipc', '10.1.1 || 10.1.2'],
    ['node-ipc@v10.1.1', 'node-ipc', '10.1.1'],
    ['coa@^2.0.3', 'coa', '^2.0.3'],
    ['JSONStream@1.3.5', 'JSONStream', '1.3.5'],
    ['  chalk@5.6.1  ', 'chalk', '5.6.1'],
  ])('%s', (spec, name, range) => {
    expect(parseSpec(spec)).toEqual({ name, range, source: 'cli' });
  });

  it('keeps the given source', () => {
    expect(parseSpec('debug@4.4.2', 'targets.txt:3')).toEqual({ name: 'debug', range: '4.4.2', source: 'targets.txt:3' });
  });
});

describe('parseSpec: invalid specs throw a UsageError naming the spec', () => {
  it.each([
    ['', 'invalid target "": empty target'],
    ['../x', 'invalid target "../x": invalid package name "../x"'],
    ['@scope/../x', 'invalid target "@scope/../x": invalid package name "@scope/../x"'],
    ['.hidden@1.0.0', 'invalid target ".hidden@1.0.0": invalid package name ".hidden"'],
    ['https://evil.example/x.tgz', 'invalid target "https://evil.example/x.tgz": "https://evil.example/x.tgz" is a URL or path, not a registry package'],
    ['file:../x', 'invalid target "file:../x": "file:../x" is a URL or path, not a registry package'],
    ['github:user/repo', 'invalid target "github:user/repo": "github:user/repo" is a URL or path, not a registry package'],
    ['foo@1.2.x.y', 'invalid target "foo@1.2.x.y": invalid version "1.2.x.y" for "foo"'],
    ['foo@1.2.3 junk', 'invalid target "foo@1.2.3 junk": invalid version "1.2.3 junk" for "foo"'],
    ['foo@1.2.3 ||', 'invalid target "foo@1.2.3 ||": invalid version "1.2.3 ||" for "foo": empty alternative in "||"'],
    ['foo@<1.0.0 >=2.0.0', 'invalid target "foo@<1.0.0 >=2.0.0": invalid version "<1.0.0 >=2.0.0" for "foo": no version satisfies it'],
    ['foo@latest', 'invalid target "foo@latest": invalid version "latest" for "foo": a dist-tag names no fixed version'],
    ['foo@', 'invalid target "foo@": empty version for "foo" (write "foo@*" for every version)'],
    ['my package@1.0.0', 'invalid target "my package@1.0.0": invalid package name "my package": contains whitespace'],
    ['pypi:requests:2.0.0', 'invalid target "pypi:requests:2.0.0": ecosystem "pypi" is not supported (npm only)'],
    ['a:b:c:d', 'invalid target "a:b:c:d": too many ":" in "a:b:c:d"'],
    ['foo\u001b[31m@1.0.0', 'invalid target "foo\\x1b[31m@1.0.0": control characters in "foo\\x1b[31m@1.0.0"'],
  ])('%j', (spec, message) => {
    let err: unknown;
    try {
      parseSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(message);
  });
});

describe('packageNameError', () => {
  it.each([
    ['chalk', null],
    ['@ctrl/tinycolor', null],
    ['JSONStream', null],
    ['node_modules', 'invalid package name "node_modules": reserved'],
    ['@ctrl', 'invalid package name "@ctrl"'],
    ['a/b', 'invalid package name "a/b"'],
    ['_private', 'invalid package name "_private"'],
    ['x'.repeat(215), `package name longer than 214 characters "${'x'.repeat(157)}..."`],
  ])('%s', (name, why) => {
    expect(packageNameError(name)).toBe(why);
  });
});

describe('splitVersions', () => {
  it.each([
    ['1.0.1, 1.0.2', ['1.0.1', '1.0.2']],
    ['1.0.1 1.0.2', ['1.0.1', '1.0.2']],
    ['1.0.1; v1.0.2', ['1.0.1', '1.0.2']],
    ['>= 1.2.9, < 1.3.0', ['>=1.2.9 <1.3.0']],
    ['>= 1.2.9, < 1.3.0 || 1.3.9', ['>=1.2.9 <1.3.0 || 1.3.9']],
    ['1.0.1, >=2.0.0 <2.0.5', ['1.0.1', '>=2.0.0 <2.0.5']],
    ['', ['*']],
    ['X', ['*']],
  ])('%j', (text, ranges) => {
    expect(splitVersions(text)).toEqual(ranges);
  });
});

describe('readSpec', () => {
  it('reports another ecosystem instead of throwing', () => {
    expect(readSpec('PyPI:requests')).toEqual({ kind: 'other-ecosystem', ecosystem: 'PyPI', name: 'requests' });
  });
});
