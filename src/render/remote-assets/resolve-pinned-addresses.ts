import type { LookupAddress } from 'node:dns';
import { AppError } from '../../errors/index.js';
import { vetAddress, type CheckedUrl } from './check-url.js';
import type { UrlPolicy } from './remote-asset-options.schema.js';

/** The shape of `dns.promises.lookup(host, { all: true })`, injectable for tests. */
export type LookupAll = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

/**
 * Resolves the URL's host and vets every address it resolves to. One bad
 * address refuses the whole host: the OS (or happy eyeballs) could pick any
 * of them, and a name that mixes public and private addresses is a classic
 * SSRF trick. The returned addresses are the only ones the connection may
 * use, which closes the DNS-rebinding window between check and connect.
 */
export async function resolvePinnedAddresses(
  checked: CheckedUrl,
  lookup: LookupAll,
  policy: UrlPolicy,
): Promise<LookupAddress[]> {
  if (checked.literalIp) {
    return [{ address: checked.literalIp, family: checked.literalIp.includes(':') ? 6 : 4 }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(checked.host, { all: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    // A name that does not exist will not exist on retry either; other DNS failures may pass.
    const retryable = code !== 'ENOTFOUND' && code !== 'ENODATA';
    throw new AppError('ASSET_FETCH_FAILED', `DNS lookup of remote asset host "${checked.host}" failed (${code})`, {
      cause: err,
      retryable,
      details: { host: checked.host },
    });
  }
  if (addresses.length === 0) {
    throw new AppError('ASSET_FETCH_FAILED', `remote asset host "${checked.host}" resolves to no address`, {
      retryable: false,
      details: { host: checked.host },
    });
  }
  for (const { address } of addresses) vetAddress(checked.host, address, policy);
  const seen = new Set<string>();
  return addresses.filter(({ address }) => !seen.has(address) && seen.add(address));
}
