import type { ResourceInliner } from './inline-resources.js';

const XHTML = 'http://www.w3.org/1999/xhtml';
const CSS_URL = /url\((['"]?)(.*?)\1\)/g;

export interface FrameRasterizer {
  /** Draws what `root` shows now into `ctx` (at 0,0, the composition's size). */
  draw(ctx: CanvasRenderingContext2D): Promise<void>;
}

/** Gives every resource of the clone a `data:` URL: images, SVG images, `url()` in inline styles, canvases. */
async function inlineResources(live: HTMLElement, clone: HTMLElement, inliner: ResourceInliner): Promise<void> {
  const liveCanvases = live.querySelectorAll('canvas');
  clone.querySelectorAll('canvas').forEach((canvas, i) => {
    const img = document.createElementNS(XHTML, 'img') as HTMLImageElement;
    const style = canvas.getAttribute('style');
    if (style) img.setAttribute('style', style);
    img.setAttribute('width', String(canvas.width));
    img.setAttribute('height', String(canvas.height));
    img.setAttribute('src', liveCanvases[i]!.toDataURL());
    canvas.replaceWith(img);
  });
  const jobs: Promise<void>[] = [];
  for (const img of clone.querySelectorAll('img')) {
    img.removeAttribute('srcset');
    const src = img.getAttribute('src');
    if (src) jobs.push(inliner.dataUrl(src).then((url) => img.setAttribute('src', url)));
  }
  for (const image of clone.querySelectorAll('image')) {
    const href = image.getAttribute('href') ?? image.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (href) jobs.push(inliner.dataUrl(href).then((url) => image.setAttribute('href', url)));
  }
  for (const element of [clone, ...clone.querySelectorAll<HTMLElement>('[style]')]) {
    const style = element.getAttribute('style');
    if (!style?.includes('url(')) continue;
    const urls = [...style.matchAll(CSS_URL)].map((m) => m[2]!).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
    jobs.push(
      Promise.all(urls.map(async (u) => [u, await inliner.dataUrl(u)] as const)).then((pairs) => {
        const found = new Map(pairs);
        element.setAttribute('style', style.replace(CSS_URL, (whole, _q, u: string) => (found.has(u) ? `url("${found.get(u)}")` : whole)));
      }),
    );
  }
  await Promise.all(jobs);
}

/**
 * Rasterises the composition in the browser, frame by frame, through an SVG
 * `<foreignObject>`: the frame's DOM is cloned (its resources inlined as
 * `data:` URLs, canvases as images), serialised as XHTML, and drawn as a
 * `data:image/svg+xml` image onto a canvas. This is the one way Chromium
 * lets a page turn its own DOM into pixels it may read back: there is no
 * screenshot API for pages, `html2canvas`-style re-implementations of
 * layout miss CSS the templates use (transforms, gradients, filters,
 * clip paths), and getDisplayMedia needs a permission prompt. Chromium
 * draws the SVG with its own layout engine, so text, transforms, gradients
 * and SVG render as in the render workers. A `data:` URL matters: an SVG
 * with a foreignObject from a `blob:` URL taints the canvas (Chromium 156),
 * and a tainted canvas cannot feed a `VideoFrame`. Inline styles carry
 * everything (React sets styles inline); the page's stylesheet does not
 * reach the SVG, as it does not exist on the render page either.
 */
export function createFrameRasterizer(root: HTMLElement, width: number, height: number, fontCss: string, inliner: ResourceInliner): FrameRasterizer {
  const image = new Image();
  return {
    async draw(ctx) {
      const clone = root.cloneNode(true) as HTMLElement;
      await inlineResources(root, clone, inliner);
      const xhtml = new XMLSerializer().serializeToString(clone);
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
        `<defs><style><![CDATA[${fontCss}]]></style></defs>` +
        `<foreignObject x="0" y="0" width="${width}" height="${height}">${xhtml}</foreignObject></svg>`;
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      await image.decode();
      // The render page's background under anything transparent: Chromium's default white.
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(image, 0, 0, width, height);
    },
  };
}
