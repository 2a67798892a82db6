import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../../src/errors/index.js';
import { checkUrl, resolveRemoteAssetOptions } from '../../../../src/render/remote-assets/index.js';

function refusal(url: string, policy = {}): { code: string; message: string } {
  try {
    checkUrl(url, policy);
  } catch (err) {
    if (isAppError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('checkUrl', () => {
  it('accepts a public https URL and normalizes its host', () => {
    const checked = checkUrl('https://CDN.Example.com./hero.png?u=1');
    expect(checked).toMatchObject({ host: 'cdn.example.com', literalIp: null, port: 443 });
    expect(checked.url.pathname).toBe('/hero.png');
  });

  it.each([
    ['http://cdn.example.com/a.png', /scheme http: is not allowed/],
    ['ftp://cdn.example.com/a.png', /scheme ftp:/],
    ['file:///etc/passwd', /scheme file:/],
    ['data:image/png;base64,AAAA', /scheme data:/],
    ['not a url', /not a valid absolute URL/],
    ['https://user:pw@cdn.example.com/a.png', /credentials/],
    ['https://cdn.example.com:8443/a.png', /port 8443/],
    ['https://127.0.0.1/a.png', /"127\.0\.0\.1".*loopback/],
    ['https://2130706433/a.png', /"127\.0\.0\.1".*loopback/], // decimal form, rewritten by URL
    ['https://0x7f.1/a.png', /"127\.0\.0\.1".*loopback/],
    ['https://[::1]/a.png', /"::1".*loopback/],
    ['https://[::ffff:169.254.169.254]/latest', /IPv4-mapped.*link-local/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://localhost/a.png', /"localhost".*this machine/],
    ['https://api.localhost./a.png', /"api\.localhost".*this machine/],
  ])('refuses %s', (url, why) => {
    const { code, message } = refusal(url);
    expect(code).toBe('ASSET_FORBIDDEN');
    expect(message).toMatch(why);
  });

  it('never puts the path or query string in the message', () => {
    const { message } = refusal('https://10.1.2.3/users/jane@example.com.png?token=s3cret');
    expect(message).toContain('10.1.2.3');
    expect(message).not.toMatch(/jane|s3cret|token/);
  });

  it('honours the test-only switches', () => {
    expect(checkUrl('http://img.test:8080/a.png', { allowHttp: true, allowedPorts: null }).port).toBe(8080);
    expect(checkUrl('https://127.0.0.1:9/a.png', { allowPrivateAddresses: ['127.0.0.1'], allowedPorts: null }).literalIp).toBe(
      '127.0.0.1',
    );
    // An allow-list lets through exactly what it names.
    expect(refusal('https://127.0.0.2/a.png', { allowPrivateAddresses: ['127.0.0.1'] }).code).toBe('ASSET_FORBIDDEN');
    expect(refusal('https://localhost/a.png', { allowPrivateAddresses: ['127.0.0.1'] }).code).toBe('ASSET_FORBIDDEN');
  });

  it('resolves fetcher options once, with safe defaults, and reports every problem', () => {
    const opts = resolveRemoteAssetOptions({ cacheDir: '/tmp/x' });
    expect(opts).toMatchObject({
      maxBytes: 10 * 1024 * 1024,
      timeoutMs: 10_000,
      maxRedirects: 3,
      allowHttp: false,
      allowPrivateAddresses: false,
      allowedPorts: [443],
    });
    expect(Object.isFrozen(opts)).toBe(true);
    try {
      resolveRemoteAssetOptions({ cacheDir: '', maxBytes: -1 });
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toMatch(/cacheDir.*maxBytes/);
    }
  });
});
