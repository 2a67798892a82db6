import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as esbuild from 'esbuild';

/** The React entry points a template or the runtime imports, and their production CommonJS builds. */
const PRODUCTION_BUILDS: Record<string, [pkg: string, file: string]> = {
  react: ['react', 'cjs/react.production.js'],
  'react/jsx-runtime': ['react', 'cjs/react-jsx-runtime.production.js'],
  'react-dom': ['react-dom', 'cjs/react-dom.production.js'],
  'react-dom/client': ['react-dom', 'cjs/react-dom-client.production.js'],
  scheduler: ['scheduler', 'cjs/scheduler.production.js'],
};

/** A file of PRODUCTION_BUILDS, on disk. */
const PRODUCTION_FILE = /[\\/](react|react-dom|scheduler)[\\/]cjs[\\/][\w-]+\.production\.js$/;

/** `var A = require("a"), B = require("b");`: the one top-level statement of these builds that requires. */
const REQUIRES = /^var ((?:\s*\w+ = require\("[^"]+"\),?)+);$/m;
const ONE_REQUIRE = /(\w+) = require\("([^"]+)"\)/g;
/** `exports.name =` at the start of a line: a top-level export, set once (scheduler sets one again inside an `if`). */
const TOP_LEVEL_EXPORT = /^exports\.(\w+) =/gm;
const ANY_EXPORT = /\bexports\.(\w+)/g;

/**
 * Rewrites one of React's production CommonJS builds as an ES module:
 * requires become namespace imports and each `exports.x` a local variable
 * that is exported, so esbuild drops the exports nobody imports (`cache`,
 * `cloneElement`, `preload`, `hydrateRoot`, ...) and the CommonJS wrappers.
 * Returns undefined for a build it does not recognise: that stays CommonJS.
 */
export function productionBuildAsEsm(source: string): string | undefined {
  const declared = new Set<string>();
  let body = source.replace(TOP_LEVEL_EXPORT, (match, name: string) => {
    if (declared.has(name)) return match;
    declared.add(name);
    return `var __export_${name} =`;
  });
  const names = new Set(declared);
  body = body.replace(ANY_EXPORT, (_match, name: string) => {
    names.add(name);
    return `__export_${name}`;
  });
  const requires = REQUIRES.exec(body);
  const imports = requires ? [...requires[1]!.matchAll(ONE_REQUIRE)].map(([, local, from]) => `import * as ${local} from ${JSON.stringify(from)};`) : [];
  if (requires) body = body.replace(REQUIRES, '');
  if (names.size === 0 || /\bexports\b|\bmodule\.exports\b|\brequire\(/.test(body)) return undefined;
  const undeclared = [...names].filter((name) => !declared.has(name)).map((name) => `var __export_${name};`);
  const exportList = [...names].map((name) => `__export_${name} as ${name}`).join(', ');
  return `${imports.join('\n')}\n${undeclared.join('\n')}\n${body}\nexport { ${exportList} };\n`;
}

/**
 * Resolves `react`, `react/jsx-runtime`, `react-dom`, `react-dom/client` and
 * `scheduler` straight to their production builds, loaded as ES modules (see
 * productionBuildAsEsm()). The player bundle is about 80% react-dom; this is
 * what lets it leave out the parts of React a player never calls.
 */
export function reactProductionEsm(root: string): esbuild.Plugin {
  const require = createRequire(path.join(root, 'package.json'));
  const fileOf = (specifier: string) => {
    const [pkg, file] = PRODUCTION_BUILDS[specifier]!;
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
  };
  return {
    name: 'react-production-esm',
    setup(build) {
      build.onResolve({ filter: /^(react(-dom)?(\/client|\/jsx-runtime)?|scheduler)$/ }, (args) =>
        PRODUCTION_BUILDS[args.path] ? { path: fileOf(args.path) } : undefined,
      );
      build.onLoad({ filter: PRODUCTION_FILE }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const contents = productionBuildAsEsm(source);
        // An unrecognised build (a React upgrade changed its shape) still works, as CommonJS.
        return { contents: contents ?? source, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}
