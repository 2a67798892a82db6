import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ChannelProfileResolver } from '../encode/index.js';
import { AppError } from '../errors/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { parseEnvelope, type ParsedEnvelope } from '../zero-knowledge/index.js';
import { buildZeroKnowledgeClient } from './build-zk-client.js';
import { renderZeroKnowledgePage } from './render-zk-page.js';
import { zeroKnowledgePageCsp } from './zk-page-csp.js';
import type { ZeroKnowledgePageData } from './zk-page-data.js';

export interface ZeroKnowledgeRoutesDeps {
  registry: Pick<TemplateRegistry, 'get' | 'bundle'>;
  /** Channel -> the variant the page plays. */
  profiles: ChannelProfileResolver;
  /** Where the page's beacons go (e.g. `/v1/events`); none are sent without it. */
  eventsUrl?: string;
}

/** The player bundle the page loads (src/templates/build-player-bundle.ts). */
const PLAYER_FILE = 'player.js';

/** Headers of every answer: the page's URL holds sealed props and the key; nothing may carry it further or keep it. */
function privateHeaders(res: Response): void {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
}

/**
 * `/z/:envelope`, the page of a zero-knowledge link, mounted at `/z` (see
 * src/zero-knowledge). The server reads only the envelope's clear header
 * (template, version, channel, pseudonymous id, campaign) to pick the
 * bundle and the size; the sealed props stay sealed and the key never
 * arrives (it is in the fragment). It stores nothing and logs only the
 * route template. Any asset of such a link (`/z/<envelope>/video.mp4`,
 * `poster.jpg`, `preview.gif`, ...) is refused with ZK_SERVER_RENDER_REFUSED:
 * the server cannot render what it cannot read.
 *
 * Builds the page's client once (esbuild, about 100 ms): call at startup.
 */
export async function createZeroKnowledgeRoutes(deps: ZeroKnowledgeRoutesDeps): Promise<Router> {
  const clientScript = await buildZeroKnowledgeClient();
  const router = Router();
  router.param('envelope', (req: Request, res: Response, next: NextFunction, value: unknown) => {
    privateHeaders(res);
    res.locals.zk = parseEnvelope(String(value));
    next();
  });

  router.get('/:envelope', async (_req: Request, res: Response) => {
    const { header, headerPart } = res.locals.zk as ParsedEnvelope;
    const template = deps.registry.get(header.templateId);
    const bundle = await deps.registry.bundle(template.id);
    if (bundle.version !== header.templateVersion) {
      throw new AppError('ZK_TEMPLATE_VERSION_GONE', `zero-knowledge link for ${template.id}@${header.templateVersion}; this server serves ${bundle.version}`);
    }
    const variant = deps.profiles(template, header.channel).variant;
    const size = template.variants[variant];
    if (!size) throw new AppError('VARIANT_NOT_FOUND', `template ${template.id} has no variant ${variant} for channel ${header.channel}`);
    const data: ZeroKnowledgePageData = {
      templateId: template.id,
      templateVersion: bundle.version,
      player: PLAYER_FILE,
      variant,
      width: size.width,
      height: size.height,
      fps: template.fps,
      durationInFrames: template.durationInFrames,
      downloadName: `${template.id}.mp4`,
      beaconToken: headerPart,
      ...(deps.eventsUrl ? { eventsUrl: deps.eventsUrl } : {}),
    };
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', zeroKnowledgePageCsp(nonce));
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.type('html').send(
      renderZeroKnowledgePage({ title: template.title ?? template.id, bundleBase: `/b/${template.id}/${bundle.version}/`, data, nonce }, clientScript),
    );
  });

  router.all('/:envelope/*rest', () => {
    throw new AppError('ZK_SERVER_RENDER_REFUSED', 'zero-knowledge links have no server-side assets: the farm never holds their props');
  });
  return router;
}
