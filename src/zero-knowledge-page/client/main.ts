import { openZeroKnowledgeProps } from '../../zero-knowledge/index.js';
import type { ZeroKnowledgePageData } from '../zk-page-data.js';
import { makeMp4 } from './download/make-mp4.js';
import { pickH264Encoder } from './download/pick-encoder.js';
import { loadPlayer } from './load-player.js';
import { createBeacon } from './send-beacon.js';
import { createZkStage } from './zk-stage.js';

// The zero-knowledge page's client, compiled by buildZeroKnowledgeClient() and inlined with the page's nonce.
const BUNDLE_TIMEOUT_MS = 15_000;

const data = JSON.parse(document.getElementById('zk-data')!.textContent!) as ZeroKnowledgePageData;
const message = document.getElementById('zk-msg')!;
const download = document.getElementById('zk-download') as HTMLButtonElement;
const progress = document.getElementById('zk-progress') as HTMLProgressElement;
const beacon = createBeacon(data.eventsUrl, data.beaconToken);
const stage = createZkStage(data.variant, beacon);

const say = (text: string): void => {
  message.textContent = text;
  message.hidden = text === '';
};

/** Why a link does not open, in words for the person holding it (the error names no value). */
function explain(error: unknown): string {
  if (!globalThis.crypto?.subtle) return 'This page needs a secure (https) connection to open the video.';
  const code = (error as { code?: string }).code;
  if (code === 'ZK_OPEN_FAILED') return 'This link is incomplete or was changed: open the whole link exactly as you received it (including the part after #).';
  if (code === 'ZK_LINK_INVALID') return 'This link is damaged; ask the sender for a new one.';
  return 'The video could not be loaded. Try again in a moment.';
}

async function main(): Promise<void> {
  beacon('page_view');
  // The sealed props are the path's last segment; the key is in the fragment, which no request ever carried.
  const envelope = location.pathname.slice(location.pathname.lastIndexOf('/') + 1);
  const key = new URLSearchParams(location.hash.slice(1)).get('k') ?? '';
  const bundle = loadPlayer(data.player, BUNDLE_TIMEOUT_MS);
  let props: Record<string, unknown>;
  try {
    ({ props } = await openZeroKnowledgeProps(envelope, key, { templateId: data.templateId, templateVersion: data.templateVersion }));
  } catch (error) {
    stage.setMode('error');
    return say(explain(error));
  }
  let api: Awaited<typeof bundle>;
  try {
    api = await bundle;
  } catch (error) {
    stage.setMode('error');
    return say(explain(error));
  }
  stage.start(api, props);

  const choice = await pickH264Encoder(data.width, data.height, data.fps);
  if (!choice.ok) return say(choice.reason);
  download.hidden = false;
  download.addEventListener('click', async () => {
    download.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    say('Making your MP4 in this browser…');
    const at = stage.stop();
    stage.setMode('busy');
    try {
      const made = await makeMp4({
        api,
        props,
        variant: data.variant,
        width: data.width,
        height: data.height,
        fps: data.fps,
        durationInFrames: data.durationInFrames,
        encoder: choice.config,
        onProgress: (done, total) => (progress.value = done / total),
      });
      const url = URL.createObjectURL(made.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = data.downloadName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      say(made.audio === 'unsupported' ? 'Saved, without sound: this browser cannot encode the audio.' : 'Saved.');
    } catch {
      // A frame that never became ready: most likely <Video> footage, whose frames only the farm's ffmpeg decodes.
      say('The MP4 could not be made in this browser (video footage in a template is drawn only by the farm). The video still plays here.');
    } finally {
      progress.hidden = true;
      download.disabled = false;
      stage.start(api, props, at);
    }
  });
}

void main();
