import path from 'node:path';
import { AppError } from '../errors/index.js';

/**
 * What the renderer needs to know about a built template bundle: where its
 * files are, and a key that changes whenever they change.
 */
export interface BundleRef {
  templateId: string;
  /** Content hash of the bundle: the template version. */
  version: string;
  /** Directory holding index.html, bundle.js and static/. */
  dir: string;
}

/**
 * The page loads from this origin; the request interceptor serves it from the
 * bundle directory. `.invalid` can never resolve (RFC 2606), so nothing leaks
 * out even if interception were off.
 */
export const BUNDLE_ORIGIN = 'http://bundle.mastercut.invalid';

export function bundleUrl(bundle: BundleRef, file = 'index.html'): string {
  return `${BUNDLE_ORIGIN}/${bundle.templateId}/${bundle.version}/${file}`;
}

/**
 * The file of the current bundle that a page URL names. Anything outside the
 * bundle (another template or version, a path escaping its folder) is
 * refused: the page can never read other files of the machine.
 */
export function bundleFilePath(bundle: BundleRef | undefined, url: string): string {
  const prefix = bundle ? `/${bundle.templateId}/${bundle.version}/` : undefined;
  const parsed = new URL(url);
  if (!bundle || !prefix || parsed.origin !== BUNDLE_ORIGIN || !parsed.pathname.startsWith(prefix)) {
    throw new AppError('NOT_FOUND', 'request outside the current bundle');
  }
  const relative = decodeURIComponent(parsed.pathname.slice(prefix.length));
  const file = path.resolve(bundle.dir, relative);
  if (!file.startsWith(path.resolve(bundle.dir) + path.sep)) {
    throw new AppError('INVALID_KEY', 'path escapes the bundle');
  }
  return file;
}
