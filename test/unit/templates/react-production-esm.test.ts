import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { productionBuildAsEsm } from '../../../src/templates/react-production-esm.js';
import { repoRoot } from '../../helpers/render-engine.js';

const require = createRequire(path.join(repoRoot, 'package.json'));
const buildOf = (pkg: string, file: string) => readFile(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'cjs', file), 'utf8');

describe("React's production builds as ES modules", () => {
  it('turns requires into imports and every export into a named export, reads of exports included', () => {
    const source = [
      '"use strict";',
      'var A = require("a"),',
      '  B = require("b");',
      'exports.now = void 0;',
      'if (x) {',
      '  exports.now = function () { return 1; };',
      '}',
      'exports.later = function () { return exports.now() + A.x + B.y; };',
    ].join('\n');
    const esm = productionBuildAsEsm(source)!;
    expect(esm).toContain('import * as A from "a";');
    expect(esm).toContain('import * as B from "b";');
    expect(esm).not.toMatch(/\bexports\b|require\(/);
    expect(esm).toContain('export { __export_now as now, __export_later as later };');
    // Valid as a module.
    expect(() => esbuild.transformSync(esm, { format: 'esm', loader: 'js' })).not.toThrow();
  });

  it('leaves a build it does not recognise alone (it stays CommonJS)', () => {
    expect(productionBuildAsEsm('module.exports = require("./x");')).toBeUndefined();
    expect(productionBuildAsEsm('var y = 1;')).toBeUndefined();
  });

  it('recognises every build the player uses, in the installed React', async () => {
    for (const [pkg, file] of [
      ['react', 'react.production.js'],
      ['react', 'react-jsx-runtime.production.js'],
      ['react-dom', 'react-dom.production.js'],
      ['react-dom', 'react-dom-client.production.js'],
      ['scheduler', 'scheduler.production.js'],
    ] as const) {
      expect(productionBuildAsEsm(await buildOf(pkg, file)), file).toBeDefined();
    }
  });
});
