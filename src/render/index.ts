export { BrowserPool, type BrowserPoolOptions, type BrowserPoolStats, type LaunchFailure } from './browser-pool.js';
export { BUNDLE_ORIGIN, bundleFilePath, bundleUrl, type BundleRef } from './bundle-ref.js';
export { captureFrames, type CaptureFramesOptions, type CaptureResult } from './capture-frames.js';
export { captureFlags } from './chromium-flags.js';
export { probeChromiumSandbox, resolveChromiumSandbox, type ChromiumSandboxDecision, type ChromiumSandboxMode, type SandboxProbeResult } from './chromium-sandbox.js';
export { processTreeRss } from './process-memory.js';
export { computeProgress, type RenderProgress } from './render-progress.js';
export { RenderPage, type CaptureFormat, type RenderPageOptions } from './render-page.js';
export type { RemoteImageSource, VideoFrameSource } from './request-interceptor.js';
