import { createElement, type ComponentType } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { CompositionRoot } from './composition-root.js';
import { loadTemplateFonts } from './load-template-fonts.js';
import { pageRuntime, type PageRuntime } from './page-runtime.js';
import { staticFile } from './static-file.js';
import type { MountOptions, PageApi, SeekResult, Template, VideoConfig } from './template.schema.js';

interface Mounted {
  root: Root;
  observer: MutationObserver;
  config: VideoConfig;
  props: unknown;
  /** A mutation was delivered to the observer since the last seek. */
  mutated: boolean;
  firstSeek: boolean;
}

/** One macrotask: lets React run the updates that released holds scheduled (its scheduler posts tasks). */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function templateError(error: Error): SeekResult {
  return { ok: false, code: 'TEMPLATE_ERROR', message: error.message || String(error) };
}

/** Gives `container` exactly the variant's size, clipped, as the frame to capture. */
function sizeContainer(container: HTMLElement, width: number, height: number): HTMLElement {
  Object.assign(container.style, {
    position: 'relative',
    width: `${width}px`,
    height: `${height}px`,
    overflow: 'hidden',
  });
  return container;
}

/** Prepares body and #root of a render page for a capture of exactly the variant's size. */
function prepareRenderPage(width: number, height: number): HTMLElement {
  document.documentElement.style.margin = '0';
  document.body.style.margin = '0';
  document.body.style.overflow = 'hidden';
  let container = document.getElementById('root');
  if (!container) {
    container = document.createElement('div');
    container.id = 'root';
    document.body.appendChild(container);
  }
  return sizeContainer(container, width, height);
}

export interface PageApiOptions {
  /**
   * Where to mount the composition. Default: the render page's `#root`, with
   * the body's margin and scrollbars taken away. A page that shows other
   * things (the zero-knowledge page's in-browser download) passes its own
   * element, and its body is left alone.
   */
  container?: HTMLElement;
}

/**
 * The page side of rendering (the `PageApi` contract): mounts a template for
 * a variant and props, then shows frames one by one, each only once every
 * delayRender hold, image and font is ready, and tells whether the frame
 * differs from the previous one.
 */
export function createPageApi(template: Template, runtime: PageRuntime = pageRuntime, options: PageApiOptions = {}): PageApi {
  let mounted: Mounted | null = null;

  const renderFrame = (m: Mounted, frame: number): void => {
    const content = createElement(template.component as ComponentType<object>, m.props as object);
    flushSync(() => m.root.render(createElement(CompositionRoot, { frame, config: m.config, mode: 'render', runtime }, content)));
  };

  const unmount = (): void => {
    if (!mounted) return;
    mounted.observer.disconnect();
    mounted.root.unmount();
    mounted = null;
  };

  return {
    templateId: template.id,

    async mount({ variant, props, delayRenderTimeoutMs }: MountOptions): Promise<VideoConfig> {
      unmount();
      const size = template.variants[variant];
      if (!size) {
        throw new Error(`Unknown variant "${variant}" for template "${template.id}" (known: ${Object.keys(template.variants).join(', ')})`);
      }
      if (!(Number.isFinite(delayRenderTimeoutMs) && delayRenderTimeoutMs > 0)) {
        throw new RangeError(`mount(): delayRenderTimeoutMs must be > 0, got ${delayRenderTimeoutMs}`);
      }
      runtime.reset({ mode: 'render', delayRenderTimeoutMs });
      const container = options.container ? sizeContainer(options.container, size.width, size.height) : prepareRenderPage(size.width, size.height);
      await loadTemplateFonts(template.fonts);
      if (template.audio) {
        runtime.addAudioTrack({ src: staticFile(template.audio.src), fromFrame: 0, volume: template.audio.volume ?? 1 });
      }
      const config: VideoConfig = {
        width: size.width,
        height: size.height,
        fps: template.fps,
        durationInFrames: template.durationInFrames,
        variant,
      };
      const root = createRoot(container, {
        // The error boundary already turned caught errors into a failed render; stay quiet.
        onCaughtError: () => undefined,
        onUncaughtError: (error) => runtime.delays.cancel(error),
      });
      const m: Mounted = { root, observer: new MutationObserver(() => (m.mutated = true)), config, props, mutated: false, firstSeek: true };
      m.observer.observe(container, { subtree: true, childList: true, attributes: true, characterData: true });
      mounted = m;
      // Render frame 0 now so that data loads started by the template overlap font and page setup.
      renderFrame(m, 0);
      return { ...config };
    },

    async seek(frame: number): Promise<SeekResult> {
      const m = mounted;
      if (!m) throw new Error('seek() called before mount()');
      if (!Number.isInteger(frame) || frame < 0 || frame >= m.config.durationInFrames) {
        throw new RangeError(`seek(): frame must be an integer in [0, ${m.config.durationInFrames - 1}], got ${frame}`);
      }
      const early = runtime.delays.cancelledWith();
      if (early) return templateError(early);

      renderFrame(m, frame);
      for (;;) {
        const waited = await runtime.delays.waitForAll();
        if (!waited.ok && waited.reason === 'cancelled') return templateError(waited.error);
        if (!waited.ok) {
          const { label, timeoutMs } = waited.pending;
          return {
            ok: false,
            code: 'DELAY_RENDER_TIMEOUT',
            label,
            message: `delayRender "${label}" was not released within ${timeoutMs} ms at frame ${frame}`,
          };
        }
        await nextTask();
        // Updates run by the released holds may have opened new ones.
        if (runtime.delays.pending().length === 0) break;
      }
      await document.fonts.ready;
      const late = runtime.delays.cancelledWith();
      if (late) return templateError(late);

      // Evaluate every source: each one must be consumed for the next seek to start clean.
      const records = m.observer.takeRecords().length > 0;
      const invalidated = runtime.takeInvalidated();
      const changed = records || m.mutated || invalidated || m.firstSeek;
      m.mutated = false;
      m.firstSeek = false;
      return { ok: true, changed };
    },

    audioTracks: () => runtime.audioTracks(),
    unmount,
  };
}
