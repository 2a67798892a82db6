import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors/index.js';
import { buildBrowserScript } from '../templates/index.js';

const CLIENT_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client/main.ts');

/**
 * Compiles the zero-knowledge page's client (decrypt, play, in-browser MP4
 * with its muxer) into one minified script, inlined in every page with the
 * response's nonce. Call once at startup and keep the string.
 */
export async function buildZeroKnowledgeClient(): Promise<string> {
  const script = await buildBrowserScript(CLIENT_ENTRY, 'the zero-knowledge page client');
  if (/<\/script|<!--/i.test(script)) {
    throw new AppError('BUNDLE_FAILED', 'the zero-knowledge page client contains "</script" or "<!--" and cannot be inlined');
  }
  return script;
}
