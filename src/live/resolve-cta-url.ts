import type { CtaDefinition } from '../composition/index.js';
import { AppError } from '../errors/index.js';

/** `{name}` or `{a.b}`: a prop, or a nested prop, by own-property path. */
const PLACEHOLDER = /\{([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\}/g;
/**
 * Scheme and authority as declared, with no placeholder: a prop can fill the
 * path, query or fragment but never choose the host. Otherwise `{x}` in
 * `https://shop.example{x}` could turn the redirect into an open one.
 */
const FIXED_ORIGIN = /^(https?:\/\/[^/?#{}\s]+)(?:[/?#]|$)/i;

function propAt(props: Record<string, unknown>, path: string): unknown {
  let value: unknown = props;
  for (const part of path.split('.')) {
    // Own properties only: `{constructor}` or `{__proto__}` must not reach the prototype.
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * The URL a CTA redirect may follow: the template's declared URL for `ctaId`,
 * each `{prop}` replaced by encodeURIComponent(String(value)). Refuses an
 * undeclared CTA (NOT_FOUND), a placeholder without a scalar prop
 * (INVALID_PROPS), and a declared URL that is not http(s) with a fixed host
 * (TEMPLATE_ERROR). Errors name the CTA and the placeholder, never a value.
 */
export function resolveCtaUrl(ctas: readonly CtaDefinition[], ctaId: string, props: Record<string, unknown>): string {
  const cta = ctas.find((c) => c.id === ctaId);
  if (!cta) throw new AppError('NOT_FOUND', 'Unknown call-to-action', { details: { ctaId: String(ctaId).slice(0, 64) } });

  const origin = FIXED_ORIGIN.exec(cta.url)?.[1];
  if (!origin) {
    throw new AppError('TEMPLATE_ERROR', `CTA ${cta.id}: the URL must be http(s) with a fixed host`, { details: { ctaId: cta.id } });
  }
  const filled = cta.url.replace(PLACEHOLDER, (_match, path: string) => {
    const value = propAt(props, path);
    if (!isScalar(value)) {
      throw new AppError('INVALID_PROPS', `CTA ${cta.id}: {${path}} needs a string, number or boolean prop`, {
        details: { ctaId: cta.id, placeholder: path },
      });
    }
    return encodeURIComponent(String(value));
  });
  // A brace left over is a placeholder this code does not understand: refuse
  // rather than send a customer to a half-filled URL.
  if (/[{}]/.test(filled)) {
    throw new AppError('TEMPLATE_ERROR', `CTA ${cta.id}: malformed placeholder in the URL`, { details: { ctaId: cta.id } });
  }

  let url: URL;
  let declared: URL;
  try {
    url = new URL(filled);
    declared = new URL(origin);
  } catch {
    throw new AppError('TEMPLATE_ERROR', `CTA ${cta.id}: the filled URL does not parse`, { details: { ctaId: cta.id } });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== declared.origin) {
    throw new AppError('TEMPLATE_ERROR', `CTA ${cta.id}: the filled URL left its declared origin`, { details: { ctaId: cta.id } });
  }
  return url.href;
}
