import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTemplate } from '../../../src/composition/index.js';
import { propsFromProfile } from '../../../src/recipients/index.js';
import loyaltyTier from '../../../compositions/loyalty-tier/index.js';

const schema = z.object({ firstName: z.string().min(1), points: z.number().int(), vip: z.boolean() });
const base = {
  id: 'mapped',
  schema,
  defaultProps: { firstName: 'Dana', points: 0, vip: false },
  fps: 30,
  durationInFrames: 30,
  variants: { square: { width: 100, height: 100 } },
  component: () => null,
};

describe('profileMapping at definition', () => {
  it('refuses unknown props, bad paths and defaults the schema refuses, all at once', () => {
    expect(() =>
      defineTemplate({
        ...base,
        profileMapping: { nope: { path: 'a' }, firstName: { path: 'name..first' }, points: { path: 'p', default: 'many' } },
      }),
    ).toThrow(/profileMapping\.nope[\s\S]*profileMapping\.firstName\.path[\s\S]*profileMapping\.points\.default/);
  });
});

describe('propsFromProfile', () => {
  const template = defineTemplate({
    ...base,
    profileMapping: { firstName: { path: 'name.first', default: 'there' }, points: { path: 'loyalty.points' }, vip: { path: 'vip', default: false } },
  });

  it('maps dotted paths, fills defaults, and coerces CSV strings the schema asks for', () => {
    expect(propsFromProfile(template, { name: { first: 'Ada' }, loyalty: { points: 12 } })).toEqual({ firstName: 'Ada', points: 12, vip: false });
    expect(propsFromProfile(template, { loyalty: { points: '7' }, vip: 'true' })).toEqual({ firstName: 'there', points: 7, vip: true });
  });

  it('lists every missing field without a default', () => {
    let caught: unknown;
    try {
      propsFromProfile(template, { name: { first: 'Ada' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'INVALID_PROPS', details: { issues: [{ path: 'points', message: 'profile field loyalty.points is missing and has no default' }] } });
  });

  it('validates the mapped props against the schema', () => {
    expect(() => propsFromProfile(template, { loyalty: { points: 'lots' } })).toThrow(expect.objectContaining({ code: 'INVALID_PROPS' }));
  });

  it('the loyalty-tier example maps a profile', () => {
    const props = propsFromProfile(loyaltyTier, { name: { first: 'Ada' }, loyalty: { tier: 'Silver', nextTier: 'Gold', points: 1200, pointsToNextTier: 800, memberSince: 2020 } });
    expect(props).toMatchObject({ firstName: 'Ada', currentTier: 'Silver', nextTier: 'Gold', points: 1200 });
    expect(() => propsFromProfile(loyaltyTier, { loyalty: { tier: 'Silver' } })).toThrow(/loyalty\.nextTier[\s\S]*loyalty\.points/);
  });
});
