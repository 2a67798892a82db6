import * as esbuild from 'esbuild';
import { AppError } from '../errors/index.js';

/**
 * Compiles one browser entry point (the landing page's or the dashboard's
 * client) into a single minified IIFE, in memory. The targets are browsers
 * of the last few years (iOS 15 Safari, Chrome 100): phones for landing
 * pages, laptops and wall screens for the dashboard. `what` names the script
 * in the BUNDLE_FAILED error.
 */
export async function buildBrowserScript(entryPoint: string, what: string): Promise<string> {
  try {
    const result = await esbuild.build({
      entryPoints: [entryPoint],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['chrome100', 'safari15', 'firefox100'],
      minify: true,
      legalComments: 'none',
      // Libraries (Chart.js) read process.env.NODE_ENV for dev-only warnings.
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text.trim();
  } catch (cause) {
    throw new AppError('BUNDLE_FAILED', `${what} failed to build`, { cause });
  }
}
