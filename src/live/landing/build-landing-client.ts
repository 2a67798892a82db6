import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../errors/index.js';
import { buildBrowserScript } from '../../templates/index.js';

const CLIENT_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client/main.ts');

/**
 * Compiles the landing page's client (`client/main.ts`) into one minified
 * script, to be inlined in every landing page with the response's nonce.
 * Call it once at startup (about 50 ms) and keep the string: it does not
 * depend on the page. The result is checked for `</script` and `<!--`,
 * which would end or confuse its `<script>` element.
 */
export async function buildLandingClient(): Promise<string> {
  const script = await buildBrowserScript(CLIENT_ENTRY, 'the landing page client');
  if (/<\/script|<!--/i.test(script)) {
    throw new AppError('BUNDLE_FAILED', 'the landing page client contains "</script" or "<!--" and cannot be inlined');
  }
  return script;
}
