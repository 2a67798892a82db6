import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { AppError } from '../../errors/index.js';

const CLIENT_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client/main.ts');

/**
 * Compiles the landing page's client (`client/main.ts`) into one minified
 * script, to be inlined in every landing page with the response's nonce.
 * Call it once at startup (about 50 ms) and keep the string: it does not
 * depend on the page. The result is checked for `</script` and `<!--`,
 * which would end or confuse its `<script>` element.
 */
export async function buildLandingClient(): Promise<string> {
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      entryPoints: [CLIENT_ENTRY],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      // Phones a few years old: iOS 15 Safari and Chrome 100 have everything it uses.
      target: ['chrome100', 'safari15', 'firefox100'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (cause) {
    throw new AppError('BUNDLE_FAILED', 'the landing page client failed to build', { cause });
  }
  const script = result.outputFiles[0]!.text.trim();
  if (/<\/script|<!--/i.test(script)) {
    throw new AppError('BUNDLE_FAILED', 'the landing page client contains "</script" or "<!--" and cannot be inlined');
  }
  return script;
}
