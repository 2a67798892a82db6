import { AppError } from '../errors/index.js';
import { toBase64Url } from './base64url.js';
import { sealZeroKnowledgeProps } from './seal-props.js';
import { checkHeader, type ZeroKnowledgeHeader } from './zk-envelope.js';

/** The path prefix of zero-knowledge pages on the farm: `<baseUrl>/z/<envelope>#k=<key>`. */
export const ZK_PAGE_PREFIX = '/z/';

/** One issue of a props schema: a zod schema's `safeParse()` gives these. */
interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Anything with zod's `safeParse()`: the template's own schema. */
export interface PropsSchema {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly SchemaIssue[] } };
}

/** The template a link is for: a `defineTemplate()` result fits, plus the deployed bundle version. */
export interface ZeroKnowledgeTemplate {
  id: string;
  /** The bundle version the farm serves (`mastercut templates <id>`, or `GET /v1/templates/<id>`). */
  version: string;
  schema: PropsSchema;
  /** Fields not given take these, as on every other path (a shallow merge). */
  defaultProps?: unknown;
}

export interface MintZeroKnowledgeLinkInput {
  /** The farm's public origin, e.g. `https://farm.example.com` (https; plain http only for localhost). */
  baseUrl: string;
  template: ZeroKnowledgeTemplate;
  channel: string;
  props: unknown;
  /** Default: 128 random bits. Keep it in your CRM: engagement events name it. */
  pseudonymousId?: string;
  campaignId?: string;
}

export interface MintedZeroKnowledgeLink {
  /** `<baseUrl>/z/<envelope>#k=<key>`: the props only sealed, the key only in the fragment. */
  url: string;
  pseudonymousId: string;
  templateId: string;
  templateVersion: string;
  channel: string;
  campaignId?: string;
}

/** An absolute URL in props (`scheme://` or `//host`): the page would fetch it from a third party. */
const REMOTE_URL = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i;

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** Paths of string values that name another host; none are allowed (see mintZeroKnowledgeLink). */
function remoteUrlPaths(value: unknown, path: PropertyKey[] = []): string[] {
  if (typeof value === 'string') return REMOTE_URL.test(value) ? [formatPath(path)] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => remoteUrlPaths(item, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => remoteUrlPaths(item, [...path, key]));
  return [];
}

/** The props over the template's defaults, checked by its schema; INVALID_PROPS names failing fields, never values. */
function validate(template: ZeroKnowledgeTemplate, props: unknown): unknown {
  if (props !== undefined && props !== null && (typeof props !== 'object' || Array.isArray(props))) {
    throw new AppError('INVALID_PROPS', `Invalid props for template "${template.id}": props must be a JSON object`, {
      details: { templateId: template.id, issues: [{ path: '(root)', message: 'expected an object' }] },
    });
  }
  const result = template.schema.safeParse({ ...(template.defaultProps as object | undefined), ...(props ?? {}) });
  const issues = result.success
    ? remoteUrlPaths(result.data).map((path) => ({ path, message: 'a zero-knowledge page loads nothing from other hosts: leave remote URLs out' }))
    : result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  if (issues.length > 0) {
    const list = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    throw new AppError('INVALID_PROPS', `Invalid props for template "${template.id}":\n${list}`, { details: { templateId: template.id, issues } });
  }
  return (result as { data: unknown }).data;
}

/** The origin and path prefix links start with; WebCrypto needs a secure context, so https (or http on loopback). */
function linkBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AppError('INVALID_ARGUMENT', 'baseUrl must be an absolute URL, e.g. https://farm.example.com');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppError('INVALID_ARGUMENT', 'baseUrl must be https (browsers decrypt only on secure pages; plain http only on localhost)');
  }
  if (url.search || url.hash || url.username || url.password) throw new AppError('INVALID_ARGUMENT', 'baseUrl must have no query, fragment or credentials');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Mints a zero-knowledge link on the brand's side, offline: validates the
 * props against the template schema (no remote URLs: the page makes no
 * third-party request), seals them with a fresh AES-256-GCM key, and puts
 * the key in the URL fragment, which browsers never send. The farm is not
 * called and never sees the key or the props. Needs WebCrypto
 * (`globalThis.crypto`: Node 20, browsers, Deno, Bun) and nothing else.
 *
 * @example
 * const link = await mintZeroKnowledgeLink({
 *   baseUrl: 'https://farm.example.com',
 *   template: { ...yearRecap, version: '3f2a9c...' },
 *   channel: 'web',
 *   props: { firstName: 'Dana', memberTier: 'Gold' },
 *   campaignId: 'recap-2026',
 * });
 * // link.url: https://farm.example.com/z/zk1.eyJ0Ijoi....Qm9r...#k=...; keep link.pseudonymousId with the customer
 */
export async function mintZeroKnowledgeLink(input: MintZeroKnowledgeLinkInput): Promise<MintedZeroKnowledgeLink> {
  const base = linkBase(input.baseUrl);
  const header: ZeroKnowledgeHeader = checkHeader({
    templateId: input.template.id,
    templateVersion: input.template.version,
    channel: input.channel,
    pseudonymousId: input.pseudonymousId ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    ...(input.campaignId === undefined ? {} : { campaignId: input.campaignId }),
  });
  const props = validate(input.template, input.props);
  const { envelope, key } = await sealZeroKnowledgeProps(header, props);
  return {
    url: `${base}${ZK_PAGE_PREFIX}${envelope}#k=${key}`,
    pseudonymousId: header.pseudonymousId,
    templateId: header.templateId,
    templateVersion: header.templateVersion,
    channel: header.channel,
    ...(header.campaignId === undefined ? {} : { campaignId: header.campaignId }),
  };
}
