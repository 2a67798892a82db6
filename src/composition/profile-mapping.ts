import type { z } from 'zod';

/** Where one prop comes from in a recipient profile: a dotted path, and what to use when the profile lacks it. */
export interface ProfileFieldRule {
  /** Dotted path into the profile's fields, e.g. `name.first`. */
  path: string;
  /** Used when the profile has no value at `path`; without one, a missing field is an error. */
  default?: unknown;
}

/** prop name -> where it comes from (src/recipients propsFromProfile reads it). */
export type ProfileMapping = Record<string, ProfileFieldRule>;

const DOTTED_PATH = /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The top-level fields of an object schema (zod 4 keeps `.shape` through refinements), or undefined. */
export function schemaShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const shape = (schema as { shape?: unknown }).shape;
  return shape && typeof shape === 'object' ? (shape as Record<string, z.ZodType>) : undefined;
}

/**
 * What is wrong with a template's profile mapping, checked at definition
 * (registration) against its props schema: every mapped prop is a field of
 * the schema, every path is a plain dotted path, every default is a valid
 * value of its prop.
 */
export function profileMappingProblems(schema: z.ZodType, mapping: unknown): string[] {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) return ['profileMapping must be an object of prop -> { path, default? }'];
  const shape = schemaShape(schema);
  if (!shape) return ['profileMapping needs an object schema (z.object)'];
  const problems: string[] = [];
  for (const [prop, rule] of Object.entries(mapping as Record<string, unknown>)) {
    if (!Object.hasOwn(shape, prop)) {
      problems.push(`profileMapping.${prop}: the schema has no prop "${prop}"`);
      continue;
    }
    const r = rule as Partial<ProfileFieldRule> | null;
    if (!r || typeof r.path !== 'string' || !DOTTED_PATH.test(r.path) || r.path.split('.').some((s) => FORBIDDEN_SEGMENTS.has(s))) {
      problems.push(`profileMapping.${prop}.path must be a dotted path such as name.first`);
    }
    if (r && Object.hasOwn(r, 'default')) {
      const parsed = shape[prop]!.safeParse(r.default);
      if (!parsed.success) problems.push(`profileMapping.${prop}.default: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
  }
  return problems;
}
