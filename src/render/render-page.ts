import type { Browser, CDPSession } from 'puppeteer-core';
import type { AudioTrack, MountOptions, SeekResult, VideoConfig } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import { bundleUrl, type BundleRef } from './bundle-ref.js';
import { captureFlags } from './chromium-flags.js';
import { trialLaunch } from './chromium-trial-launch.js';
import { processTreeRss } from './process-memory.js';
import { RequestInterceptor, type RemoteImageSource, type VideoFrameSource } from './request-interceptor.js';

export interface RenderPageOptions {
  chromiumPath: string;
  remoteImages?: RemoteImageSource;
  /** Decoded source frames for <Video>; without it a template showing a video fails its frames. */
  videoFrames?: VideoFrameSource;
  launchTimeoutMs?: number;
  /** Run Chromium inside its own sandbox (see resolveChromiumSandbox). Default false: `--no-sandbox`. */
  sandbox?: boolean;
}

export type CaptureFormat = 'jpeg' | 'png';

/** Virtual time between begin-frames; only its monotonicity matters. */
const FRAME_INTERVAL_MS = 1000 / 60;
const MAX_EMPTY_FRAMES = 10;

type Puppeteer = typeof import('puppeteer-core');
let puppeteerLoad: Promise<Puppeteer> | undefined;

/**
 * puppeteer-core is imported on the first browser launch, not at module
 * load: every role imports src/render through src/pipeline (the template
 * registry), and a process that never launches a browser (the API, a
 * campaign fan-out) would otherwise load ~150 modules and some 10 MB of heap
 * it never uses (issue 15: the fan-out's peak RSS).
 */
function loadPuppeteer(): Promise<Puppeteer> {
  return (puppeteerLoad ??= import('puppeteer-core'));
}

/**
 * One chromium-headless-shell process with one begin-frame-controlled page.
 * One page per process scales across cores far better than tabs of one
 * browser (they share a compositor thread).
 */
export class RenderPage {
  rendersDone = 0;
  crashed = false;
  private bundleKey: string | undefined;
  private viewport = '';
  private frameTime = 0;

  private constructor(
    /** The loaded module: its error classes tell a closed connection (see call). */
    private readonly puppeteer: Puppeteer,
    private readonly browser: Browser,
    private readonly session: CDPSession,
    readonly interceptor: RequestInterceptor,
  ) {
    browser.on('disconnected', () => this.markBroken());
    session.on('Inspector.targetCrashed', () => this.markBroken());
  }

  /** Takes this browser out of service: after a crash, or when it stopped answering. */
  markBroken(): void {
    this.crashed = true;
  }

  static async launch(options: RenderPageOptions): Promise<RenderPage> {
    const args = captureFlags({ width: 1280, height: 720, sandbox: options.sandbox ?? false });
    const puppeteer = await loadPuppeteer();
    const browser = await puppeteer.default
      .launch({
        executablePath: options.chromiumPath,
        headless: 'shell',
        pipe: true,
        defaultViewport: null,
        timeout: options.launchTimeoutMs ?? 30_000,
        args,
        // We own the process lifecycle (recycling, crash replacement).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      .catch(async (cause: unknown) => {
        const message = (cause as Error).message;
        if (/ENOENT|EACCES/.test(message)) {
          throw new AppError(
            'DEPENDENCY_MISSING',
            `Chromium could not start from ${options.chromiumPath}: ${message}. ` +
              'Install it with: sudo apt-get install chromium-headless-shell (or bash scripts/install-system-deps.sh).',
            { cause },
          );
        }
        // Over the pipe puppeteer only sees the connection close; a trial launch with the
        // same flags gets Chromium's own reason (a refused sandbox, a missing library...).
        const trial = await trialLaunch(options.chromiumPath, args, { timeoutMs: 15_000 });
        const reason = trial.ok ? message : trial.reason;
        throw new AppError('BROWSER_CRASHED', `Chromium (${options.chromiumPath}) did not start: ${reason}`, { cause });
      });
    try {
      const root = await browser.target().createCDPSession();
      // The default tab cannot be put under begin-frame control; only a target created with the flag can.
      const { targetId } = await root.send('Target.createTarget', {
        url: 'about:blank',
        enableBeginFrameControl: true,
      });
      const target = await browser.waitForTarget((t) => (t as unknown as { _targetId: string })._targetId === targetId);
      const session = await target.createCDPSession();
      const interceptor = new RequestInterceptor(session, options.remoteImages, options.videoFrames);
      await Promise.all([session.send('Page.enable'), session.send('Runtime.enable'), interceptor.enable()]);
      return new RenderPage(puppeteer, browser, session, interceptor);
    } catch (err) {
      await browser.close().catch(() => undefined);
      throw err;
    }
  }

  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  /** Navigates to the bundle unless it is already loaded; a warm page skips this. */
  async load(bundle: BundleRef): Promise<void> {
    const key = `${bundle.templateId}/${bundle.version}`;
    this.interceptor.setBundle(bundle);
    if (this.bundleKey === key) return;
    this.bundleKey = undefined;
    const { errorText } = await this.call(() => this.session.send('Page.navigate', { url: bundleUrl(bundle) }));
    if (errorText) throw new AppError('BUNDLE_FAILED', `the bundle page of ${bundle.templateId} did not load: ${errorText}`);
    await this.waitFor('!!(window.__mastercut && document.readyState === "complete")', 15_000, bundle.templateId);
    this.bundleKey = key;
  }

  async mount(options: MountOptions & { width: number; height: number }): Promise<VideoConfig> {
    this.interceptor.assetError = undefined;
    // A resize costs a relayout and an empty first begin-frame: skip it when the size is the same.
    const viewport = `${options.width}x${options.height}`;
    if (viewport !== this.viewport) await this.call(() =>
      this.session.send('Emulation.setDeviceMetricsOverride', {
        width: options.width,
        height: options.height,
        deviceScaleFactor: 1,
        mobile: false,
      }),
    );
    this.viewport = viewport;
    const { width: _w, height: _h, ...mount } = options;
    return this.evaluate<VideoConfig>(`window.__mastercut.mount(${JSON.stringify(mount)})`);
  }

  /** Shows a frame and waits until it is ready to capture (delayRender, images, fonts). */
  async seek(frame: number): Promise<SeekResult> {
    return this.evaluate<SeekResult>(`window.__mastercut.seek(${frame})`);
  }

  async audioTracks(): Promise<AudioTrack[]> {
    return this.evaluate<AudioTrack[]>('window.__mastercut.audioTracks()');
  }

  async unmount(): Promise<void> {
    await this.evaluate('window.__mastercut && window.__mastercut.unmount()');
  }

  /**
   * Asks the compositor for one frame and returns its pixels. Right after a
   * navigation or a viewport change the first begin-frame can come back
   * without an image (nothing committed yet); asking again fixes that.
   */
  async capture(format: CaptureFormat, quality: number): Promise<Buffer> {
    // HeadlessExperimental is missing from puppeteer's protocol typings.
    const send = this.session.send.bind(this.session) as (method: string, params: object) => Promise<unknown>;
    for (let attempt = 0; attempt < MAX_EMPTY_FRAMES; attempt++) {
      const result = (await this.call(() =>
        send('HeadlessExperimental.beginFrame', {
          frameTimeTicks: (this.frameTime += FRAME_INTERVAL_MS),
          interval: FRAME_INTERVAL_MS,
          screenshot: format === 'png' ? { format: 'png' } : { format: 'jpeg', quality },
        }),
      )) as { hasDamage: boolean; screenshotData?: string };
      if (result.screenshotData) return Buffer.from(result.screenshotData, 'base64');
    }
    throw new AppError('FRAME_TIMEOUT', `the compositor produced no image after ${MAX_EMPTY_FRAMES} begin-frames`, { retryable: true });
  }

  /** Resident memory of this browser's whole process tree. */
  async memoryBytes(): Promise<number> {
    return this.pid ? processTreeRss(this.pid) : 0;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {
      this.browser.process()?.kill('SIGKILL');
    });
  }

  private async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.call(() =>
      this.session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }),
    );
    if (exceptionDetails) {
      const text = exceptionDetails.exception?.description ?? exceptionDetails.text;
      throw new AppError('TEMPLATE_ERROR', `the page threw: ${text}`);
    }
    return result.value as T;
  }

  /** Runs one CDP call; a closed connection means the browser died. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const { ConnectionClosedError, ProtocolError } = this.puppeteer;
      const closed = err instanceof ConnectionClosedError || (err instanceof ProtocolError && err.name === 'TargetCloseError');
      if (closed || this.crashed) {
        this.markBroken();
        throw new AppError('BROWSER_CRASHED', `the browser (pid ${this.pid ?? '?'}) went away: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }

  private async waitFor(expression: string, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.evaluate<boolean>(expression)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new AppError('BUNDLE_FAILED', `the bundle of ${what} did not initialise within ${timeoutMs} ms`);
  }
}
