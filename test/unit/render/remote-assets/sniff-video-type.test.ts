import { describe, expect, it } from 'vitest';
import { sniffImageType, sniffVideoType } from '../../../../src/render/remote-assets/index.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffVideoType', () => {
  it.each([
    ['video/mp4', bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0], 'isomiso2')],
    ['video/mp4', bytes([0, 0, 0, 0x14], 'ftypmp42', [0, 0, 0, 0], 'mp42')],
    ['video/quicktime', bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 2, 0], 'qt  ')],
    ['video/webm', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm', [0x42, 0x87])],
  ])('recognizes %s', (type, data) => {
    expect(sniffVideoType(data)).toBe(type);
  });

  it.each([
    ['avif (a still picture)', bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0], 'avifmif1miaf')],
    ['matroska that is not webm', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska')],
    ['html', bytes('<!doctype html><html>')],
    ['png', bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13])],
    ['empty', bytes()],
  ])('refuses %s', (_name, data) => {
    expect(sniffVideoType(data)).toBeNull();
  });

  it('an MP4 is still no image', () => {
    expect(sniffImageType(bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0], 'isomiso2'))).toBeNull();
  });
});
