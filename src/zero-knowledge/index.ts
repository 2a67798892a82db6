/**
 * Zero-knowledge links, the brand's side: mint a link offline (props checked
 * against the template schema, sealed with AES-256-GCM, the key only in the
 * URL fragment) and open one (what the browser does). Dependency-light on
 * purpose: WebCrypto and the error registry only, no farm connection, no
 * config, so a brand's backend can import it (`mastercut/zero-knowledge`) or
 * run `mastercut zk-link`. The farm's page for these links is in
 * src/zero-knowledge-page.
 */
export {
  mintZeroKnowledgeLink,
  ZK_PAGE_PREFIX,
  type MintedZeroKnowledgeLink,
  type MintZeroKnowledgeLinkInput,
  type PropsSchema,
  type ZeroKnowledgeTemplate,
} from './mint-link.js';
export { openZeroKnowledgeProps, sealZeroKnowledgeProps, ZK_KEY_BYTES, ZK_PROPS_MAX_BYTES, type OpenExpectations, type SealedProps } from './seal-props.js';
export {
  checkHeader,
  encodeHeaderPart,
  parseEnvelope,
  parseHeaderPart,
  ZK_ENVELOPE_MAX_LENGTH,
  ZK_ENVELOPE_VERSION,
  ZK_HEADER_PATTERNS,
  type ParsedEnvelope,
  type ZeroKnowledgeHeader,
} from './zk-envelope.js';
