import type { Template } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import { propsFromText, type JsonSchemaNode, type PropsIssue } from '../templates/index.js';
import { liveLinksRequestSchema, type LiveLinksRequest } from './create-live-links.js';

/** Query parameters of `GET /v1/live-links/mint` that are not props. */
export const MINT_RESERVED_PARAMS = ['template', 'channel', 'campaign', 'recipient'] as const;
const RESERVED: ReadonlySet<string> = new Set(MINT_RESERVED_PARAMS);
/** The reserved parameters are checked with POST /v1/live-links's own rules, but named as the query names them. */
const shape = liveLinksRequestSchema.shape;

/** What the mint query needs of the template registry. */
export interface MintQueryRegistry {
  get(id: string): Template;
  jsonSchema(template: Template): unknown;
}

/** A parsed query: one POST /v1/live-links body with a single channel. */
export type MintRequest = LiveLinksRequest & { channels: [string] };

function invalid(issues: PropsIssue[]): AppError {
  return new AppError('INVALID_ARGUMENT', `Invalid mint request: ${issues.map((i) => i.path).join(', ')}`, { details: { issues } });
}

/**
 * Reads `GET /v1/live-links/mint?template=&channel=&campaign=&recipient=&<props>`
 * (Express's simple query parser: a repeated name gives an array). Every
 * other parameter is a prop by name, dotted for nested props
 * (`cta.label=Book`), coerced by the template's JSON Schema as campaign CSV
 * columns are. Errors are 400s naming the field, never its value.
 *
 * A recipient with no props asks for a sticky link: its props are read
 * from the recipient's profile at every open (never the template's preview
 * props).
 */
export function createMintQueryParser(registry: MintQueryRegistry) {
  // z.toJSONSchema per call would cost more than the rest of a mint.
  const schemas = new WeakMap<Template, JsonSchemaNode>();
  const schemaOf = (template: Template): JsonSchemaNode => {
    let schema = schemas.get(template);
    if (!schema) {
      schema = registry.jsonSchema(template) as JsonSchemaNode;
      schemas.set(template, schema);
    }
    return schema;
  };

  return function parseMintQuery(query: Record<string, unknown>): MintRequest {
    const issues: PropsIssue[] = [];
    const fields: [string, string][] = [];
    const reserved: Partial<Record<(typeof MINT_RESERVED_PARAMS)[number], string>> = {};
    for (const name of Object.keys(query)) {
      const value = query[name];
      if (typeof value !== 'string') {
        issues.push({ path: name, message: 'given more than once' });
        continue;
      }
      if (RESERVED.has(name)) reserved[name as keyof typeof reserved] = value;
      else fields.push([name, value]);
    }
    if (!reserved.template) issues.push({ path: 'template', message: 'required' });
    if (!reserved.channel) issues.push({ path: 'channel', message: 'required' });
    else if (!shape.channels.element.safeParse(reserved.channel).success) issues.push({ path: 'channel', message: 'expected a channel name' });
    if (reserved.campaign && !shape.campaignId.safeParse(reserved.campaign).success) {
      issues.push({ path: 'campaign', message: 'expected 1-64 characters of A-Z, a-z, 0-9, _ or -' });
    }
    const recipientId = reserved.recipient?.trim() || undefined;
    if (recipientId !== undefined && !shape.recipientId.safeParse(recipientId).success) issues.push({ path: 'recipient', message: 'expected 1-256 characters' });
    if (issues.length > 0) throw invalid(issues);
    const template = registry.get(reserved.template!);

    if (recipientId !== undefined && fields.length === 0) {
      return {
        templateId: template.id,
        channels: [reserved.channel!],
        ...(reserved.campaign ? { campaignId: reserved.campaign } : {}),
        recipientId,
      };
    }
    const parsed = propsFromText(schemaOf(template), fields);
    if (!parsed.ok) {
      throw new AppError('INVALID_PROPS', `Invalid props for template "${template.id}": ${parsed.issues.map((i) => i.path).join(', ')}`, {
        details: { templateId: template.id, issues: parsed.issues },
      });
    }
    return {
      templateId: template.id,
      channels: [reserved.channel!],
      props: parsed.props,
      ...(reserved.campaign ? { campaignId: reserved.campaign } : {}),
      ...(recipientId !== undefined ? { recipientId } : {}),
    };
  };
}
