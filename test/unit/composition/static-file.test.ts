import { afterEach, describe, expect, it } from 'vitest';
import { getStaticBase, setStaticBase, staticFile } from '../../../src/composition/index.js';

describe('staticFile', () => {
  afterEach(() => setStaticBase('static/'));

  it('prefixes the static base', () => {
    expect(getStaticBase()).toBe('static/');
    expect(staticFile('fonts/inter.woff2')).toBe('static/fonts/inter.woff2');
    expect(staticFile('./logo.png')).toBe('static/logo.png');
  });

  it('follows setStaticBase, adding a missing slash', () => {
    setStaticBase('https://cdn.example.com/t/abc');
    expect(staticFile('logo.png')).toBe('https://cdn.example.com/t/abc/logo.png');
    setStaticBase('/assets/');
    expect(staticFile('a.mp3')).toBe('/assets/a.mp3');
  });

  it('refuses paths that leave the public folder', () => {
    expect(() => staticFile('../secret.txt')).toThrow(/\.\./);
    expect(() => staticFile('img/../../x')).toThrow(/\.\./);
    expect(() => staticFile('a\\..\\b')).toThrow(/\.\./);
    expect(() => staticFile('/etc/passwd')).toThrow(/relative/);
    expect(() => staticFile('https://evil.test/x.png')).toThrow(/relative/);
    expect(() => staticFile('')).toThrow(/non-empty/);
  });
});
