import { z } from 'zod';
import { TEMPLATE_ID_PATTERN } from '../templates/index.js';

/** A stored-props id: 128 random bits in unpadded base64url (22 characters). */
export const STORED_PROPS_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

const templateId = z.string().regex(TEMPLATE_ID_PATTERN, 'expected a template id');
const channel = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a channel name');
const props = z.record(z.string(), z.unknown());
const propsRef = z.string().regex(STORED_PROPS_ID_PATTERN, 'expected a stored-props id');
const campaignId = z.string().min(1).max(64);
const recipientId = z.string().min(1).max(256);
/** How a sticky link follows its profile; absent: on open (every open shows the current version). */
const refresh = z.enum(['on-update', 'never']);
/** Unix seconds. */
const exp = z.number().int().positive();

/** Props, or a stored-props reference, or neither when a recipient is named (a sticky link): never both. */
const oneSource = (value: { props?: unknown; propsRef?: unknown; recipientId?: unknown }) =>
  value.props === undefined || value.propsRef === undefined
    ? value.props !== undefined || value.propsRef !== undefined || value.recipientId !== undefined
    : false;
const sourceIssue = { message: 'give either props or propsRef (not both), or neither with a recipientId (a sticky link)', path: ['props'] };

/** A sticky link names its recipient and carries no props: they are read from the recipient's profile when it opens. */
export function isStickyPayload(payload: { props?: unknown; propsRef?: unknown; recipientId?: string }): payload is { recipientId: string } {
  return payload.props === undefined && payload.propsRef === undefined && payload.recipientId !== undefined;
}

/**
 * What a Live link says: which template on which channel, for whom, until
 * when. The props travel in the token (`props`) or stay server side and the
 * token names them (`propsRef`, a stored-props id), never both; a sticky
 * link has neither and names a recipient, whose current profile gives the
 * props at every open (docs/data-spine.md).
 */
export const liveTokenPayloadSchema = z
  .object({
    templateId,
    channel,
    props: props.optional(),
    propsRef: propsRef.optional(),
    campaignId: campaignId.optional(),
    recipientId: recipientId.optional(),
    refresh: refresh.optional(),
    exp,
  })
  .refine(oneSource, sourceIssue);

export type LiveTokenPayload = z.output<typeof liveTokenPayloadSchema>;

/** What sealLiveToken takes: the payload without `exp`, which the TTL sets. */
export type LiveTokenInput = Omit<LiveTokenPayload, 'exp'>;

/**
 * The payload as sealed: one-letter field names keep URLs short (every byte
 * of JSON costs 4/3 bytes of token). Strict: a field this version does not
 * know means the token was not made by it.
 */
export const liveTokenWireSchema = z
  .strictObject({
    t: templateId,
    c: channel,
    p: props.optional(),
    r: propsRef.optional(),
    k: campaignId.optional(),
    u: recipientId.optional(),
    f: z.enum(['u', 'n']).optional(),
    e: exp,
  })
  .refine((w) => oneSource({ props: w.p, propsRef: w.r, recipientId: w.u }), sourceIssue);

export type LiveTokenWire = z.output<typeof liveTokenWireSchema>;

/** Payload -> wire form (absent fields are left out, not written as null). */
export function toLiveTokenWire(payload: LiveTokenPayload): LiveTokenWire {
  return {
    t: payload.templateId,
    c: payload.channel,
    ...(payload.props === undefined ? {} : { p: payload.props }),
    ...(payload.propsRef === undefined ? {} : { r: payload.propsRef }),
    ...(payload.campaignId === undefined ? {} : { k: payload.campaignId }),
    ...(payload.recipientId === undefined ? {} : { u: payload.recipientId }),
    ...(payload.refresh === undefined ? {} : { f: payload.refresh === 'never' ? ('n' as const) : ('u' as const) }),
    e: payload.exp,
  };
}

/** Wire form -> payload. */
export function fromLiveTokenWire(wire: LiveTokenWire): LiveTokenPayload {
  return {
    templateId: wire.t,
    channel: wire.c,
    ...(wire.p === undefined ? {} : { props: wire.p }),
    ...(wire.r === undefined ? {} : { propsRef: wire.r }),
    ...(wire.k === undefined ? {} : { campaignId: wire.k }),
    ...(wire.u === undefined ? {} : { recipientId: wire.u }),
    ...(wire.f === undefined ? {} : { refresh: wire.f === 'n' ? ('never' as const) : ('on-update' as const) }),
    exp: wire.e,
  };
}
