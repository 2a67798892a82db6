import { call, type RenderState } from './api.js';

/** What a render or a Live URL is made of: the template, the active variant, the accepted props. */
export interface Current {
  templateId: string;
  variant: string;
  props: Record<string, unknown>;
  /** The frame on screen: a still is rendered at it. */
  frame: number;
}

interface PanelElements {
  format: HTMLSelectElement;
  render: HTMLButtonElement;
  progress: HTMLProgressElement;
  renderStatus: HTMLElement;
  download: HTMLAnchorElement;
  liveUrl: HTMLInputElement;
  status: HTMLElement;
}

const root = document.documentElement;
const STILLS = ['png', 'jpg', 'webp'];

/**
 * The render button (a render through the local engine, polled for its
 * progress bar, then offered as a download) and "Copy Live URL" (asked of
 * the configured farm).
 */
export function createRenderPanel(ui: PanelElements, current: () => Current | undefined) {
  async function follow(id: string): Promise<void> {
    for (;;) {
      const state = await call<RenderState>(`/api/renders/${id}`);
      if (state.state === 'rendering' && state.progress) {
        const p = state.progress;
        ui.progress.value = p.framesDone / p.totalFrames;
        ui.renderStatus.textContent = `${p.framesDone}/${p.totalFrames} frames · ${p.fps.toFixed(1)} fps`;
      }
      if (state.state === 'failed') throw new Error(state.error!.message);
      if (state.state === 'done') {
        const r = state.result!;
        ui.progress.value = 1;
        ui.renderStatus.textContent = `${r.width}×${r.height} ${r.format}, ${r.frames} frames at ${r.fps.toFixed(1)} fps`;
        ui.download.href = state.file!;
        ui.download.download = state.fileName!;
        ui.download.textContent = `Download ${state.fileName} (${(r.bytes / 1024).toFixed(0)} KB)`;
        ui.download.hidden = false;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  return {
    async render(): Promise<void> {
      const what = current();
      if (!what) return;
      const format = ui.format.value;
      ui.render.disabled = true;
      ui.download.hidden = true;
      ui.progress.value = 0;
      ui.renderStatus.textContent = 'queued';
      root.dataset.render = 'running';
      try {
        const body = { templateId: what.templateId, variant: what.variant, props: what.props, format, ...(STILLS.includes(format) ? { frame: what.frame } : {}) };
        const { id } = await call<{ id: string }>('/api/renders', body);
        await follow(id);
        root.dataset.render = 'done';
      } catch (err) {
        ui.renderStatus.textContent = `failed: ${(err as Error).message}`;
        root.dataset.render = 'failed';
      } finally {
        ui.render.disabled = false;
      }
    },

    async copyLiveUrl(): Promise<void> {
      const what = current();
      if (!what) return;
      ui.liveUrl.value = 'asking the farm...';
      try {
        const { url } = await call<{ url: string }>('/api/live-url', { templateId: what.templateId, props: what.props });
        ui.liveUrl.value = url;
        ui.liveUrl.select();
        await navigator.clipboard.writeText(url).then(
          () => (ui.status.textContent = 'Live URL copied'),
          () => (ui.status.textContent = 'Live URL ready: copy it from the field'),
        );
      } catch (err) {
        ui.liveUrl.value = `failed: ${(err as Error).message}`;
      }
    },
  };
}
