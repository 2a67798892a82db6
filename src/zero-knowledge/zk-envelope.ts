import { AppError } from '../errors/index.js';
import { fromBase64Url, toBase64Url } from './base64url.js';

/** The envelope format's version: the first part of every envelope, and part of the authenticated data. */
export const ZK_ENVELOPE_VERSION = 'zk1';
/** Longest envelope (the link's last path segment) accepted or made, in characters. */
export const ZK_ENVELOPE_MAX_LENGTH = 8192;
/** AES-GCM nonce and tag sizes (NIST SP 800-38D: 96-bit nonce, 128-bit tag). */
export const ZK_IV_BYTES = 12;
export const ZK_TAG_BYTES = 16;

/** What a zero-knowledge link says in the clear: nothing personal, all of it authenticated with the props. */
export interface ZeroKnowledgeHeader {
  templateId: string;
  /** The template's bundle version (content hash): the page loads exactly this bundle. */
  templateVersion: string;
  channel: string;
  /** The brand's pseudonymous id of the recipient (random, or an HMAC of its CRM id): what engagement events name. */
  pseudonymousId: string;
  campaignId?: string;
}

/**
 * Every header field's form. Narrow on purpose: no `@`, `.` or space, so an
 * e-mail address or a name cannot be put in the clear part by mistake.
 */
export const ZK_HEADER_PATTERNS = {
  templateId: /^[a-z0-9][a-z0-9-]{0,63}$/,
  templateVersion: /^[0-9a-f]{8,64}$/,
  channel: /^[a-z][a-z0-9_-]{0,31}$/,
  pseudonymousId: /^[A-Za-z0-9_-]{8,64}$/,
  campaignId: /^[A-Za-z0-9_-]{1,64}$/,
} as const satisfies Record<keyof ZeroKnowledgeHeader, RegExp>;

/** The header's wire keys: short, since the whole envelope is in a URL. */
const WIRE_KEYS = { t: 'templateId', v: 'templateVersion', c: 'channel', p: 'pseudonymousId', g: 'campaignId' } as const;

/** A parsed envelope: `zk1.<header>.<iv, ciphertext and tag>`. */
export interface ParsedEnvelope {
  header: ZeroKnowledgeHeader;
  /** `zk1.<header>`: the AES-GCM additional data, and the engagement beacons' token. */
  headerPart: string;
  /** iv (12 bytes), then the ciphertext and its tag. */
  sealed: Uint8Array<ArrayBuffer>;
}

const invalid = (message: string) => new AppError('ZK_LINK_INVALID', `zero-knowledge link: ${message}`);

/** Checks each field against ZK_HEADER_PATTERNS; the error names the field, never its value. */
export function checkHeader(header: ZeroKnowledgeHeader): ZeroKnowledgeHeader {
  for (const [field, pattern] of Object.entries(ZK_HEADER_PATTERNS) as [keyof ZeroKnowledgeHeader, RegExp][]) {
    const value = header[field];
    if (value === undefined && field === 'campaignId') continue;
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(`${field} must match ${pattern.source}`);
  }
  return header;
}

/** `zk1.<base64url of the header's JSON>`. */
export function encodeHeaderPart(header: ZeroKnowledgeHeader): string {
  checkHeader(header);
  const wire: Record<string, string> = {};
  for (const [key, field] of Object.entries(WIRE_KEYS)) {
    const value = header[field];
    if (value !== undefined) wire[key] = value;
  }
  return `${ZK_ENVELOPE_VERSION}.${toBase64Url(new TextEncoder().encode(JSON.stringify(wire)))}`;
}

/**
 * Reads `zk1.<header>` (the envelope's clear part, and the beacon token):
 * ZK_LINK_INVALID unless it is exactly a valid header.
 */
export function parseHeaderPart(headerPart: string): ZeroKnowledgeHeader {
  const [version, encoded, ...rest] = headerPart.split('.');
  if (version !== ZK_ENVELOPE_VERSION || encoded === undefined || rest.length > 0) throw invalid(`expected ${ZK_ENVELOPE_VERSION}.<header>`);
  const bytes = fromBase64Url(encoded);
  let wire: unknown;
  try {
    wire = bytes ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) : undefined;
  } catch {
    wire = undefined;
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw invalid('the header is not a JSON object');
  const header: Partial<Record<keyof ZeroKnowledgeHeader, unknown>> = {};
  for (const [key, value] of Object.entries(wire)) {
    const field = (WIRE_KEYS as Record<string, keyof ZeroKnowledgeHeader>)[key];
    if (!field) throw invalid(`unknown header key "${key.slice(0, 8)}"`);
    header[field] = value;
  }
  return checkHeader(header as ZeroKnowledgeHeader);
}

/** Splits and checks an envelope without opening it (no key needed): what the server reads. */
export function parseEnvelope(envelope: string): ParsedEnvelope {
  if (typeof envelope !== 'string' || envelope.length > ZK_ENVELOPE_MAX_LENGTH) throw invalid(`longer than ${ZK_ENVELOPE_MAX_LENGTH} characters`);
  const cut = envelope.lastIndexOf('.');
  if (cut < 0) throw invalid(`expected ${ZK_ENVELOPE_VERSION}.<header>.<sealed>`);
  const headerPart = envelope.slice(0, cut);
  const header = parseHeaderPart(headerPart);
  const sealed = fromBase64Url(envelope.slice(cut + 1));
  // iv + tag + at least `{}`.
  if (!sealed || sealed.length < ZK_IV_BYTES + ZK_TAG_BYTES + 2) throw invalid('the sealed part is not base64url of iv, ciphertext and tag');
  return { header, headerPart, sealed };
}
