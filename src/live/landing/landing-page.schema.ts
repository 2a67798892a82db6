import { z } from 'zod';

/**
 * A URL the page itself loads or links to. The page sets `<base href>` to the
 * template bundle, so a relative URL would resolve inside the bundle: only
 * root paths (`/l/...`, not `//host`) and http(s) URLs are accepted, which
 * also keeps `javascript:` and `data:` out of every attribute.
 */
const pageUrl = z
  .string()
  .min(1)
  .max(4096)
  .refine((url) => (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) || /^https?:\/\/[^\s]+$/i.test(url), {
    message: 'must be a root path ("/...") or an http(s) URL',
  });

/** An absolute http(s) URL: Open Graph readers fetch it from outside, so it cannot be a path. */
const absoluteUrl = z
  .string()
  .max(4096)
  .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), { message: 'must be an absolute http(s) URL' });

/** CSP nonces are base64 (or base64url); at least 128 bits. */
export const nonceSchema = z.string().regex(/^[A-Za-z0-9+/_-]{22,}={0,2}$/, { message: 'must be base64 of at least 16 random bytes' });

/** What the landing page of one Live URL shows. Every string is treated as untrusted text. */
export const landingPageInputSchema = z.object({
  title: z.string().min(1).max(300),
  description: z.string().max(1000).optional(),
  /** Where the template bundle is served: `/b/<templateId>/<version>/`; becomes the page's `<base href>`. */
  bundleBase: z.string().regex(/^\/(?!\/)[A-Za-z0-9._~\-/]*\/$/, { message: 'must be a root path ending with "/"' }),
  /** Validated props; they reach the page as JSON data, never as markup. */
  props: z.record(z.string(), z.unknown()),
  /** The template variant to play; by default the one whose size is width x height. */
  variant: z.string().max(64).optional(),
  width: z.number().int().min(16).max(4096),
  height: z.number().int().min(16).max(4096),
  fps: z.number().positive().max(120),
  durationInFrames: z.number().int().positive(),
  posterUrl: pageUrl,
  videoUrl: pageUrl,
  /** Answers `{ ready: boolean }`; polled until the MP4 exists. */
  statusUrl: pageUrl,
  /** Set when the MP4 is known to exist: the page shows it at once and skips the live player. */
  videoReady: z.boolean().default(false),
  ctas: z.array(z.object({ id: z.string().min(1).max(64), label: z.string().min(1).max(120), href: pageUrl })).max(8),
  shareUrl: absoluteUrl,
  ogImageUrl: absoluteUrl,
  ogUrl: absoluteUrl,
  /** Engagement beacons are POSTed here (JSON as text/plain) when set. */
  eventsUrl: pageUrl.optional(),
  /** The Live URL token the beacons name (the server fills in who they are about). */
  eventsToken: z.string().max(8192).optional(),
  /**
   * A sticky link page's pin (the version it shows): the beacons name it and
   * the server records the version that pin keeps, never one the page states.
   */
  eventsPin: z.string().regex(/^[A-Za-z0-9_-]{22}$/).optional(),
  /** The response's CSP nonce (fresh per response); the inline client script carries it. */
  nonce: nonceSchema,
});

/** What callers pass to the landing page renderer. */
export type LandingPageInput = z.input<typeof landingPageInputSchema>;
/** The input once validated, defaults applied. */
export type ResolvedLandingPageInput = z.output<typeof landingPageInputSchema>;

/**
 * The data the page hands its client script, as JSON in
 * `<script type="application/json" id="mc-landing-data">`.
 */
export interface LandingClientData {
  title: string;
  /** The template's player bundle, relative to `<base href>` (`player.js`, modulepreloaded by the page). */
  player: string;
  props: Record<string, unknown>;
  variant?: string;
  width: number;
  height: number;
  fps: number;
  durationInFrames: number;
  posterUrl: string;
  videoUrl: string;
  statusUrl: string;
  videoReady: boolean;
  shareUrl: string;
  eventsUrl?: string;
  eventsToken?: string;
  eventsPin?: string;
}
