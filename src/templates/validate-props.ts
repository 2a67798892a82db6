import type { z } from 'zod';
import type { Template } from '../composition/index.js';
import { AppError } from '../errors/index.js';

export interface PropsIssue {
  /** Dotted path of the failing field, e.g. `cta.label` or `items[2].name`. */
  path: string;
  message: string;
}

/**
 * Parses props over the template's default props (a shallow merge: a field
 * not given takes its default) against the template schema, or throws
 * INVALID_PROPS listing every failing field, never just the first one.
 * Values are not echoed back: they may be personal data.
 */
export function validateProps<S extends z.ZodType>(template: Template<S>, input: unknown): z.output<S> {
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    throw new AppError('INVALID_PROPS', `Invalid props for template "${template.id}": props must be a JSON object`, {
      details: { templateId: template.id, issues: [{ path: '(root)', message: 'expected an object' }] },
    });
  }
  const merged = { ...(template.defaultProps as object), ...(input ?? {}) };
  const result = template.schema.safeParse(merged);
  if (result.success) return result.data;
  const issues: PropsIssue[] = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const list = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
  throw new AppError('INVALID_PROPS', `Invalid props for template "${template.id}":\n${list}`, {
    details: { templateId: template.id, issues },
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
