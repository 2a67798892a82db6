import { describe, expect, it } from 'vitest';
import { templates } from '../../../compositions/index.js';
import type { Template } from '../../../src/composition/index.js';
import { AppError } from '../../../src/errors/index.js';
import { validateProps } from '../../../src/templates/index.js';

const recap = templates.find((t) => t.id === 'year-recap') as unknown as Template;

describe('validateProps', () => {
  it('fills missing fields from the default props', () => {
    const props = validateProps(recap, { firstName: 'Kenji' }) as Record<string, unknown>;
    expect(props.firstName).toBe('Kenji');
    expect(props.memberTier).toBe((recap.defaultProps as Record<string, unknown>).memberTier);
  });

  it('lists every failing field path, nested ones included, without echoing values', () => {
    let error: unknown;
    try {
      validateProps(recap, { firstName: '', nightsStayed: 9999, cta: { label: 'y'.repeat(33) } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('INVALID_PROPS');
    const paths = (appError.details.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['cta.label', 'firstName', 'nightsStayed']);
    expect(appError.message).not.toContain('y'.repeat(33));
  });

  it('refuses props that are not an object', () => {
    expect(() => validateProps(recap, [1, 2])).toThrowError(/must be a JSON object/);
    expect(() => validateProps(recap, 'Dana')).toThrowError(AppError);
  });
});
