import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/index.js';
import { BUNDLE_ORIGIN, bundleFilePath, bundleUrl, type BundleRef } from '../render/index.js';
import type { AssetKind } from '../render/remote-assets/index.js';

/** The guarded remote fetcher (src/render/remote-assets), as far as footage needs it. */
export interface FootageFetcher {
  fetch(url: string, signal?: AbortSignal, kind?: AssetKind): Promise<{ path: string }>;
}

/** A source file on this machine, and how to name it in messages (no URL: it may carry personal data). */
export interface LocatedFootage {
  path: string;
  label: string;
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
    const found = await stat(file).then((info) => info.isFile(), () => false);
    if (!found) throw new AppError('TEMPLATE_ERROR', `template ${bundle!.templateId}: media source ${label} does not exist`);
    return { path: file, label };
  }
  if (src.startsWith('https://')) {
    if (!fetcher) throw new AppError('ASSET_FORBIDDEN', 'remote video sources are not enabled in this renderer');
    const asset = await fetcher.fetch(src, undefined, 'video');
    return { path: asset.path, label: `from ${new URL(src).host}` };
  }
  throw new AppError('ASSET_FORBIDDEN', 'a media source must be a staticFile() path or an https URL');
}
