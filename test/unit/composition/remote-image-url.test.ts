import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { remoteImageUrl } from '../../../src/composition/index.js';

const schema = remoteImageUrl();

function refusal(value: string): string {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.message).join('; ');
}

describe('remoteImageUrl', () => {
  it('accepts public https URLs', () => {
    expect(schema.parse('https://images.example.com/a/b.png?x=1')).toBe('https://images.example.com/a/b.png?x=1');
    expect(schema.safeParse('https://8.8.8.8/a.png').success).toBe(true);
    expect(schema.safeParse('https://172.32.0.1/a.png').success).toBe(true);
  });

  it('refuses other schemes and non-URLs', () => {
    expect(refusal('http://images.example.com/a.png')).toMatch(/must use https \(got http\)/);
    expect(refusal('file:///etc/passwd')).toMatch(/https/);
    expect(refusal('not a url')).toMatch(/not a valid absolute URL/);
  });

  it('refuses localhost and literal private, loopback and link-local addresses', () => {
    for (const url of [
      'https://localhost/a.png',
      'https://api.localhost/a.png',
      'https://127.0.0.1/a.png',
      'https://2130706433/a.png', // 127.0.0.1 in decimal
      'https://0x7f.1/a.png',
      'https://10.1.2.3/a.png',
      'https://172.16.0.1/a.png',
      'https://192.168.1.1/a.png',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/',
      'https://[::1]/a.png',
      'https://[fe80::1]/a.png',
      'https://[fd00::1]/a.png',
      'https://[::ffff:127.0.0.1]/a.png',
    ]) {
      expect(refusal(url), url).toMatch(/must not point to/);
    }
  });

  it('refuses credentials and overly long URLs', () => {
    expect(refusal('https://user:pw@example.com/a.png')).toMatch(/credentials/);
    expect(refusal(`https://example.com/${'a'.repeat(2048)}`)).toMatch(/at most 2048/);
  });

  it('composes into an object schema and a JSON schema', () => {
    const props = z.object({ avatar: remoteImageUrl() });
    expect(props.safeParse({ avatar: 'https://10.0.0.1/x' }).success).toBe(false);
    const json = z.toJSONSchema(props) as unknown as { properties: { avatar: { format?: string; maxLength?: number } } };
    expect(json.properties.avatar).toMatchObject({ format: 'uri', maxLength: 2048 });
  });
});
