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
