import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/index.js';
import { BUNDLE_ORIGIN, bundleFilePath, bundleUrl, type BundleRef, type AssetKind } from '../render/index.js';

/** The guarded remote fetcher (src/render/remote-assets), as far as footage needs it. */
export interface FootageFetcher {
  fetch(url: string, signal?: AbortSignal, kind?: AssetKind): Promise<{ path: string }>;
}

/** A source file on this machine, and how to name it in messages (no URL: it may carry personal data). */
export interface LocatedFootage {
  path: string;
  label: string;
  /** Changes whenever the file's content may have: keys caches of its probe and frames. */
  identity: string;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * Finds the local file behind a <Video> (or <Audio>) source: a file of the
 * current bundle (a staticFile() path, relative or as the page resolved it),
 * or an https URL downloaded by the remote-asset fetcher with the same
 * guards and size limit as images. Anything else is refused.
 */
export async function locateFootage(src: string, bundle: BundleRef | undefined, fetcher: FootageFetcher | undefined): Promise<LocatedFootage> {
  if (src.startsWith(`${BUNDLE_ORIGIN}/`) || (!SCHEME.test(src) && bundle)) {
    const url = src.startsWith(`${BUNDLE_ORIGIN}/`) ? src : new URL(src.replace(/^\.?\//, ''), bundleUrl(bundle!)).href;
    const file = bundleFilePath(bundle, url);
    const staticDir = path.join(bundle!.dir, 'static');
    if (!file.startsWith(staticDir + path.sep)) {
      throw new AppError('ASSET_FORBIDDEN', `template ${bundle!.templateId}: media sources must be staticFile() paths or https URLs`);
    }
    const label = path.relative(bundle!.dir, file);
    const identity = await identify(file);
    if (!identity) throw new AppError('TEMPLATE_ERROR', `template ${bundle!.templateId}: media source ${label} does not exist`);
    return { path: file, label, identity };
  }
  if (src.startsWith('https://')) {
    if (!fetcher) throw new AppError('ASSET_FORBIDDEN', 'remote video sources are not enabled in this renderer');
    const asset = await fetcher.fetch(src, undefined, 'video');
    const label = `from ${new URL(src).host}`;
    const identity = await identify(asset.path);
    if (!identity) throw new AppError('ASSET_FETCH_FAILED', `remote video ${label} left the asset cache`, { retryable: true });
    return { path: asset.path, label, identity };
  }
  throw new AppError('ASSET_FORBIDDEN', 'a media source must be a staticFile() path or an https URL');
}

async function identify(file: string): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? `${file}|${info.size}|${info.mtimeMs}` : null;
}
