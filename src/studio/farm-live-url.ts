import { AppError } from '../errors/index.js';

/** Where the studio asks for Live URLs: a farm's API and one of its keys. */
export interface FarmTarget {
  url: string;
  apiKey: string;
}

/**
 * Makes a Live URL on the farm for a template and props (POST
 * /v1/live-links, the `web` channel) and returns it absolute. The props go
 * to the farm in the request body only; the URL it answers is sealed.
 */
export async function createFarmLiveUrl(farm: FarmTarget, templateId: string, props: unknown, signal?: AbortSignal): Promise<{ url: string; expiresAt: string }> {
  const base = farm.url.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/v1/live-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${farm.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId, channels: ['web'], props }),
      signal: signal ?? AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new AppError('INTERNAL', `the farm at ${new URL(base).origin} could not be reached`, { cause, retryable: true });
  }
  const body = (await res.json().catch(() => ({}))) as { links?: { url: string; expiresAt: string }[]; code?: string; message?: string };
  if (res.status !== 201 || !body.links?.[0]) {
    // The farm's own code and message (INVALID_PROPS, UNAUTHORIZED...) say what to fix.
    const code = res.status === 401 ? 'UNAUTHORIZED' : res.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
    throw new AppError(code, `the farm refused the Live URL (${res.status}${body.code ? ` ${body.code}` : ''}): ${body.message ?? 'no details'}`);
  }
  const link = body.links[0];
  return { url: new URL(link.url, `${base}/`).href, expiresAt: link.expiresAt };
}
