import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../../../src/render/remote-assets/index.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /this network/],
    ['10.0.0.5', /private/],
    ['10.255.255.255', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['100.100.100.200', /carrier-grade NAT/], // Alibaba Cloud metadata
    ['127.0.0.1', /loopback/],
    ['127.1.2.3', /loopback/],
    ['169.254.169.254', /link-local.*metadata/], // AWS/GCP/Azure metadata
    ['169.254.0.1', /link-local/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.192', /IETF/],
    ['192.0.2.10', /documentation/],
    ['192.88.99.1', /6to4 relay/],
    ['192.168.1.1', /private/],
    ['198.18.0.1', /benchmark/],
    ['198.19.255.255', /benchmark/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.9', /documentation/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
  ])('refuses IPv4 %s', (ip, reason) => {
    expect(isForbiddenAddress(ip)).toMatch(reason);
  });

  it.each([
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped.*127\.0\.0\.1.*loopback/],
    ['::ffff:7f00:1', /IPv4-mapped.*loopback/],
    ['::FFFF:169.254.169.254', /IPv4-mapped.*link-local/],
    ['::ffff:10.0.0.1', /IPv4-mapped.*private/],
    ['64:ff9b::10.0.0.1', /NAT64.*private/],
    ['64:ff9b::a9fe:a9fe', /NAT64.*169\.254\.169\.254/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /6to4.*127\.0\.0\.1/],
    ['2002:c0a8:101::1', /6to4.*private/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['100::1', /discard/],
    ['2001:db8::1', /documentation/],
    ['2001:0:4136:e378::1', /Teredo/],
    ['2001:10::1', /IETF/],
    ['3fff::1', /documentation/],
    ['fc00::1', /unique local/],
    ['fd00::1', /unique local/],
    ['fd00:ec2::254', /unique local/], // AWS IPv6 metadata
    ['fe80::1', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['fe80::1%eth0', /zone/],
    ['::ffff:0:7f00:1', /global unicast/], // IPv4-translated (SIIT)
    ['4000::1', /global unicast/],
    ['1234::1', /global unicast/],
  ])('refuses IPv6 %s', (ip, reason) => {
    expect(isForbiddenAddress(ip)).toMatch(reason);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255',
    '172.32.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700::1111',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows public %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBeNull();
  });

  it.each(['', 'localhost', '1.2.3', '01.2.3.4', '256.0.0.1', '1::2::3', 'gggg::1', '::ffff:1.2.3.256', '[::1'])(
    'refuses %j, which is not an IP address',
    (text) => {
      expect(isForbiddenAddress(text)).toBe('not an IP address');
    },
  );

  it('accepts bracketed IPv6 as URLs write it', () => {
    expect(isForbiddenAddress('[::1]')).toMatch(/loopback/);
    expect(isForbiddenAddress('[2606:4700::1111]')).toBeNull();
  });
});
