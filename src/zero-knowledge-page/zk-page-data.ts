/**
 * What the zero-knowledge page hands its client, as JSON in
 * `<script type="application/json" id="zk-data">`. All of it comes from the
 * link's clear header and the template: nothing personal. The props travel
 * only in the page's own URL (sealed in the path, the key in the fragment).
 */
export interface ZeroKnowledgePageData {
  templateId: string;
  templateVersion: string;
  /** The template's player bundle, relative to `<base href>` (`player.js`). */
  player: string;
  variant: string;
  width: number;
  height: number;
  fps: number;
  durationInFrames: number;
  /** The file name the in-browser download is saved under. */
  downloadName: string;
  /** Where beacons go (`/v1/events`); none without it. */
  eventsUrl?: string;
  /** `zk1.<header>`: what beacons name (pseudonymous id, template, channel, campaign). */
  beaconToken: string;
}
