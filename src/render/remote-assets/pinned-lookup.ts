import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

/**
 * A `lookup` for the socket that answers only with the vetted addresses, so
 * no second DNS query (which a rebinding attacker would answer differently)
 * ever happens. Node 20 asks with `all: true` when it races address families.
 * Every outbound call of the farm (remote assets, webhooks, CRM connectors)
 * connects through it after resolvePinnedAddresses vetted the host.
 */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options?.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}
