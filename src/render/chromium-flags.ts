/**
 * Command-line flags for chromium-headless-shell in capture mode.
 *
 * Begin-frame control makes the compositor produce a frame only when we ask
 * for one (CDP HeadlessExperimental.beginFrame), so every captured image shows
 * exactly the DOM state we just committed, with no timer-driven frames in
 * between. See https://chromedevtools.github.io/devtools-protocol/tot/HeadlessExperimental/
 * and https://goo.gle/chrome-headless-rendering.
 */
export function captureFlags(options: { width: number; height: number; sandbox?: boolean }): string[] {
  return [
    // Chromium refuses its sandbox as root, and a container's default seccomp
    // profile forbids the user namespace it needs: resolveChromiumSandbox()
    // decides, and the sandbox stays on wherever it can run.
    ...(options.sandbox ? [] : ['--no-sandbox']),
    '--disable-gpu',
    // No phoning home: this machine has no network and every blocked request costs time.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    '--disable-extensions',
    '--mute-audio',
    '--hide-scrollbars',
    // Deterministic compositing driven by beginFrame.
    '--deterministic-mode',
    '--enable-begin-frame-control',
    '--run-all-compositor-stages-before-draw',
    // Otherwise Chromium paints a white "new content" frame after ~4 s without commits.
    '--disable-new-content-rendering-timeout',
    '--disable-threaded-animation',
    '--disable-threaded-scrolling',
    // Images must be fully decoded in the frame that shows them, not a later one.
    '--disable-checker-imaging',
    '--disable-image-animation-resync',
    // With partial raster, a tile re-rastered around a small change keeps old
    // pixels around it, so a frame's last bits depend on the frames before it
    // (seen as 1-6 level differences between browsers in the year-recap
    // cards). Frames split across browsers must be identical, so raster whole tiles.
    '--disable-partial-raster',
    '--font-render-hinting=none',
    '--force-color-profile=srgb',
    `--window-size=${options.width},${options.height}`,
  ];
}
