import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { AppError, isAppError } from '../../errors/index.js';
import { checkUrl, type CheckedUrl, type LookupAll, type UrlPolicy, resolvePinnedAddresses } from '../../render/index.js';

/** What endpoint URLs may be: https only and public addresses only, unless a test allows more. */
export interface WebhookUrlPolicy {
  allowHttp: boolean;
  allowPrivateAddresses: boolean;
}

/** A checked endpoint URL and the vetted addresses the connection must use. */
export interface PinnedWebhookUrl {
  checked: CheckedUrl;
  addresses: LookupAddress[];
}

function toUrlPolicy(policy: WebhookUrlPolicy): UrlPolicy {
  // Any port: CRM receivers often listen on 8443 and the like. The address
  // check, not the port, is what keeps requests off internal services.
  return { allowHttp: policy.allowHttp, allowPrivateAddresses: policy.allowPrivateAddresses, allowedPorts: null };
}

/** The remote-asset guards speak of "remote assets"; webhook callers get their own code and words. */
function rephrase(err: unknown): never {
  if (isAppError(err, 'ASSET_FORBIDDEN')) {
    const host = typeof err.details.host === 'string' ? err.details.host : undefined;
    const reason = typeof err.details.reason === 'string' ? err.details.reason : 'it is not a valid absolute URL';
    const message = `webhook URL refused${host ? ` (host "${host}")` : ''}: ${reason}`;
    throw new AppError('WEBHOOK_URL_FORBIDDEN', message, { cause: err, details: { host, reason, issues: [{ path: 'url', message }] } });
  }
  if (isAppError(err, 'ASSET_FETCH_FAILED')) {
    // A DNS failure: at registration it is the caller's to fix, at delivery it may pass.
    throw new AppError('WEBHOOK_DELIVERY_FAILED', err.message.replace('remote asset host', 'webhook host'), {
      cause: err,
      retryable: true,
      details: { ...err.details, errorClass: 'dns' },
    });
  }
  throw err;
}

/**
 * Up-front check of an endpoint URL, no network: scheme, credentials,
 * localhost names, literal IPs. Throws WEBHOOK_URL_FORBIDDEN (400).
 */
export function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): CheckedUrl {
  try {
    return checkUrl(raw, toUrlPolicy(policy));
  } catch (err) {
    return rephrase(err);
  }
}

/**
 * Checks the URL, resolves its host and vets every address (one forbidden
 * address refuses the host). Run at registration and again before every
 * delivery: DNS may have changed since. The returned addresses are the only
 * ones the delivery may connect to, so a second, rebound answer never
 * counts.
 */
export async function pinWebhookUrl(raw: string, policy: WebhookUrlPolicy, lookup: LookupAll = dnsLookup): Promise<PinnedWebhookUrl> {
  const checked = checkWebhookUrl(raw, policy);
  try {
    const addresses = await resolvePinnedAddresses(checked, lookup, toUrlPolicy(policy));
    return { checked, addresses };
  } catch (err) {
    return rephrase(err);
  }
}
