import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl, pinWebhookUrl } from '../../../../src/engagement/webhooks/index.js';
import { postWebhook } from '../../../../src/engagement/webhooks/post-webhook.js';
import type { LookupAll } from '../../../../src/render/remote-assets/index.js';

const strict = { allowHttp: false, allowPrivateAddresses: false };
/** A resolver answering from a table, like DNS under an attacker's control. */
const dns = (table: Record<string, string[]>): LookupAll => async (host) => {
  const addresses = table[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('webhook URL guards', () => {
  it('accepts https to a host with public addresses only, on any port', async () => {
    const pinned = await pinWebhookUrl('https://crm.example.com:8443/hooks?token=x', strict, dns({ 'crm.example.com': ['93.184.216.34', '2606:2800:220:1::1'] }));
    expect(pinned.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
    expect(pinned.checked.port).toBe(8443);
  });

  it('refuses http unless allowed', () => {
    expect(() => checkWebhookUrl('http://crm.example.com/h', strict)).toThrowError(/scheme http: is not allowed/);
    expect(checkWebhookUrl('http://crm.example.com/h', { ...strict, allowHttp: true }).host).toBe('crm.example.com');
    expect(() => checkWebhookUrl('ftp://crm.example.com/h', { ...strict, allowHttp: true })).toThrowError(/scheme ftp:/);
  });

  it('refuses malformed URLs, credentials and localhost names', () => {
    expect(() => checkWebhookUrl('not a url', strict)).toThrowError(/webhook URL refused/);
    expect(() => checkWebhookUrl('https://user:pw@crm.example.com/', strict)).toThrowError(/credentials/);
    expect(() => checkWebhookUrl('https://localhost/', strict)).toThrowError(/localhost/);
    expect(() => checkWebhookUrl('https://api.localhost/', strict)).toThrowError(/localhost/);
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['10.1.2.3', /private network/],
    ['192.168.0.10', /private network/],
    ['169.254.169.254', /link-local.*metadata/],
    ['100.100.100.200', /carrier-grade NAT/],
    ['::1', /loopback/],
    ['fd00::1', /unique local/],
    ['::ffff:10.0.0.1', /IPv4-mapped.*private/],
  ])('refuses a host that resolves to %s', async (address, reason) => {
    const err = await pinWebhookUrl('https://crm.example.com/h', strict, dns({ 'crm.example.com': [address] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN' });
    expect(String((err as Error).message)).toMatch(reason);
  });

  it('refuses literal private IPs and metadata addresses without DNS', () => {
    expect(() => checkWebhookUrl('https://169.254.169.254/latest/meta-data', strict)).toThrowError(/link-local/);
    expect(() => checkWebhookUrl('https://[::1]:8443/', strict)).toThrowError(/loopback/);
    expect(() => checkWebhookUrl('https://2130706433/', strict)).toThrowError(/loopback/);
  });

  it('refuses a name mixing public and private addresses (one bad address refuses the host)', async () => {
    await expect(pinWebhookUrl('https://mixed.example.com/', strict, dns({ 'mixed.example.com': ['93.184.216.34', '10.0.0.8'] }))).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN' });
  });

  it('lets loopback through only when private addresses are allowed', async () => {
    const pinned = await pinWebhookUrl('http://receiver.test:9/h', { allowHttp: true, allowPrivateAddresses: true }, dns({ 'receiver.test': ['127.0.0.1'] }));
    expect(pinned.addresses[0]!.address).toBe('127.0.0.1');
  });

  it('reports an unknown host as a (retryable) DNS failure', async () => {
    await expect(pinWebhookUrl('https://nowhere.example/', strict, dns({}))).rejects.toMatchObject({ code: 'WEBHOOK_DELIVERY_FAILED', retryable: true });
  });
});

describe('postWebhook', () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url} host=${req.headers.host}`);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.alloc(1024 * 1024, 97));
      } else if (req.url === '/slow') {
        // Never answers: the request budget must end it.
      } else {
        res.writeHead(503, { 'retry-after': '7' }).end('busy');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const allow = { allowHttp: true, allowPrivateAddresses: true };
  /** `receiver.test` exists only in this table: the request can reach it only through the pinned address. */
  const lookup = dns({ 'receiver.test': ['127.0.0.1'] });
  const send = async (path: string, timeoutMs = 5_000) =>
    postWebhook(await pinWebhookUrl(`http://receiver.test:${port}${path}`, allow, lookup), {
      headers: { 'webhook-id': 'msg_x' },
      body: '{}',
      timeoutMs,
      maxResponseBytes: 1024,
      userAgent: 'test',
    });

  it('connects to the pinned address, with the host name in Host, and never follows a redirect', async () => {
    hits.length = 0;
    const result = await send('/redirect');
    expect(result).toMatchObject({ kind: 'response', status: 302 });
    expect(hits).toEqual([`POST /redirect host=receiver.test:${port}`]);
  });

  it('hands back Retry-After, stops reading a large answer at the cap, and times out', async () => {
    expect(await send('/busy')).toMatchObject({ kind: 'response', status: 503, retryAfter: '7' });
    expect(await send('/big')).toMatchObject({ kind: 'response', status: 200 });
    expect(await send('/slow', 300)).toMatchObject({ kind: 'error', errorClass: 'timeout' });
  });

  it('reports a refused connection as a connection error', async () => {
    const closed = await pinWebhookUrl('http://receiver.test:1/h', allow, lookup);
    expect(await postWebhook(closed, { headers: {}, body: '{}', timeoutMs: 2_000, maxResponseBytes: 1024, userAgent: 't' })).toMatchObject({ kind: 'error', errorClass: 'connection' });
  });
});
