import { AppError } from '../../errors/index.js';
import { isForbiddenAddress, parseIp } from '../../net/index.js';
import type { UrlPolicy } from './remote-asset-options.schema.js';
import { defaultPorts } from './resolve-remote-asset-options.js';

/** A URL that passed `checkUrl`: what the connection step needs, already parsed. */
export interface CheckedUrl {
  url: URL;
  /** Hostname without IPv6 brackets or a trailing dot: what DNS, SNI and messages use. */
  host: string;
  /** The address itself when the URL names an IP instead of a host name. */
  literalIp: string | null;
  port: number;
}

/** Refusal naming the host only: paths and query strings may carry personal data. */
export function forbidden(host: string, why: string): AppError {
  return new AppError('ASSET_FORBIDDEN', `remote asset host "${host}" is forbidden: ${why}`, {
    details: { host, reason: why },
  });
}

/**
 * Refuses an address the URL policy does not allow. `host` is only for the
 * message; the address is what gets judged.
 */
export function vetAddress(host: string, ip: string, policy: UrlPolicy): void {
  const reason = isForbiddenAddress(ip);
  if (reason === null) return;
  const allow = policy.allowPrivateAddresses ?? false;
  if (allow === true || (Array.isArray(allow) && allow.includes(ip))) return;
  const subject = host === ip ? ip : `it resolves to ${ip}, which`;
  throw forbidden(host, `${subject} is refused as ${reason}`);
}

/**
 * Up-front validation of a remote asset URL, with no network access: scheme
 * (https, or http when allowed), no credentials, an allowed port, no
 * `localhost` names, and literal IP hosts judged like resolved addresses.
 * Host names still need `resolvePinnedAddresses` before a connection.
 */
export function checkUrl(raw: string, policy: UrlPolicy = {}): CheckedUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('ASSET_FORBIDDEN', 'remote asset URL is not a valid absolute URL');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  const allowHttp = policy.allowHttp ?? false;
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw forbidden(host || url.protocol, `scheme ${url.protocol} is not allowed (https only)`);
  }
  if (!host) throw forbidden('(empty)', 'the URL has no host');
  if (url.username || url.password) throw forbidden(host, 'URLs with credentials are not allowed');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const ports = policy.allowedPorts === undefined ? defaultPorts(allowHttp) : policy.allowedPorts;
  if (ports && !ports.includes(port)) throw forbidden(host, `port ${port} is not allowed`);
  const literalIp = parseIp(host) ? host : null;
  if (literalIp) {
    vetAddress(host, literalIp, policy);
  } else if ((host === 'localhost' || host.endsWith('.localhost')) && policy.allowPrivateAddresses !== true) {
    // RFC 6761: these names always mean this machine, whatever DNS says.
    throw forbidden(host, 'localhost names point at this machine');
  }
  return { url, host, literalIp, port };
}
