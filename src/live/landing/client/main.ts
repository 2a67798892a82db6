import type { LandingClientData } from '../landing-page.schema.js';
import { createStage } from './create-stage.js';
import { createTracker } from './create-tracker.js';
import { loadPlayerBundle } from './load-player-bundle.js';
import { pollStatus } from './poll-status.js';
import { shareLink } from './share-link.js';

// The landing page's client, compiled by buildLandingClient() and inlined with the page's nonce.
const BUNDLE_TIMEOUT_MS = 10_000;

const data = JSON.parse(document.getElementById('mc-landing-data')!.textContent!) as LandingClientData;
const tracker = createTracker(data.eventsUrl, data.eventsToken, data.eventsPin);
const stage = createStage(data, tracker);
const download = document.getElementById('mc-download')!;

tracker.send('page_view');
// On a Live URL (a token) the server's CTA redirect records the click, its one source; a page without one reports it itself.
if (!tracker.token) {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-cta-id]')) {
    link.addEventListener('click', () => tracker.send('cta_click', { ctaId: link.dataset.ctaId ?? '' }));
  }
}
const toast = document.getElementById('mc-toast')!;
document.getElementById('mc-share')!.addEventListener('click', () => void shareLink(data.shareUrl, data.title, toast, tracker));

const onReady = (): void => {
  download.hidden = false;
  stage.videoReady();
};
if (data.videoReady) onReady();
else {
  // The module is already on its way (modulepreload); imported now, it plays as soon as it is evaluated.
  // It used to wait for the skeleton's first paint (an animation frame and a task later): on a busy
  // machine that paint came after the bundle and held the first frame back (bench/live.ts breakdown).
  void loadPlayerBundle(data.player, BUNDLE_TIMEOUT_MS).then(stage.startLive, stage.showPoster);
  pollStatus(data.statusUrl, onReady);
}
