/**
 * IP addresses as the farm judges them: one table of the addresses no
 * request may go to (private, loopback, link-local, special-purpose, and
 * IPv6 forms that embed one of those). The props validator, the remote
 * asset fetcher and the webhook URL guard all use it. Pure: no Node API,
 * so template bundles can carry it.
 */
export { isForbiddenAddress } from './is-forbidden-address.js';
export { formatIPv4, parseIp, type ParsedIp } from './parse-ip.js';
