import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry as createRegistry } from '../../../src/pipeline/index.js';
import { isAppError } from '../../../src/errors/index.js';
import { createMintQueryParser } from '../../../src/live/index.js';

// jsonSchema needs no bundle: nothing is built here.
const parse = createMintQueryParser(createRegistry({ cacheDir: path.join(os.tmpdir(), 'mastercut-mint-query') }));

function refusal(query: Record<string, unknown>): { code: string; issues: unknown } {
  try {
    parse(query);
  } catch (err) {
    if (isAppError(err)) return { code: err.code, issues: err.details.issues };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('createMintQueryParser', () => {
  it('reads reserved parameters and coerces props by the schema, nesting dotted names', () => {
    expect(parse({ template: 'welcome-clip', channel: 'email', campaign: 'c-1', recipient: ' u 42 ', firstName: '007', welcomePoints: '1200', 'cta.label': 'Book' })).toEqual({
      templateId: 'welcome-clip',
      channels: ['email'],
      campaignId: 'c-1',
      recipientId: 'u 42',
      props: { firstName: '007', welcomePoints: 1200, cta: { label: 'Book' } },
    });
  });

  it('leaves blank values out, and then reports a required prop as required', () => {
    expect(refusal({ template: 'welcome-clip', channel: 'email', firstName: '  ', welcomePoints: '3', 'cta.label': 'Go' })).toEqual({
      code: 'INVALID_PROPS',
      issues: [{ path: 'firstName', message: 'required' }],
    });
    // Every prop the schema requires: the template's preview values never stand in for a recipient's.
    expect(refusal({ template: 'welcome-clip', channel: 'email', firstName: 'Ada' }).issues).toEqual([
      { path: 'welcomePoints', message: 'required' },
      { path: 'cta.label', message: 'required' },
    ]);
  });

  it('names repeated, missing and malformed parameters', () => {
    expect(refusal({ template: 'welcome-clip', channel: ['email', 'web'], firstName: 'A' })).toEqual({
      code: 'INVALID_ARGUMENT',
      issues: [{ path: 'channel', message: 'given more than once' }, { path: 'channel', message: 'required' }],
    });
    expect(refusal({ firstName: 'A' }).issues).toEqual([
      { path: 'template', message: 'required' },
      { path: 'channel', message: 'required' },
    ]);
    expect(refusal({ template: 'welcome-clip', channel: 'Email!', campaign: 'a b', recipient: 'x'.repeat(257), firstName: 'A' }).issues).toEqual([
      { path: 'channel', message: 'expected a channel name' },
      { path: 'campaign', message: 'expected 1-64 characters of A-Z, a-z, 0-9, _ or -' },
      { path: 'recipient', message: 'expected 1-256 characters' },
    ]);
  });

  it('refuses prototype-polluting names', () => {
    const out = refusal({ template: 'welcome-clip', channel: 'email', firstName: 'A', welcomePoints: '1', 'cta.label': 'Go', '__proto__.polluted': '1', 'constructor.x': '1' });
    expect(out.code).toBe('INVALID_PROPS');
    expect(out.issues).toEqual([
      { path: '__proto__.polluted', message: 'invalid field name' },
      { path: 'constructor.x', message: 'invalid field name' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a recipient alone as a sticky link: no props, never the preview defaults', () => {
    expect(parse({ template: 'welcome-clip', channel: 'email', campaign: 'c-1', recipient: 'u-42' })).toEqual({
      templateId: 'welcome-clip',
      channels: ['email'],
      campaignId: 'c-1',
      recipientId: 'u-42',
    });
  });
});
