/**
 * The one registry of error codes. Every AppError names one of these; the
 * HTTP status, retryability and public message live here so that the CLI, the
 * workers and the API all answer the same way for the same problem.
 */
export const errorCodes = {
  // Caller mistakes: never retried.
  INVALID_ARGUMENT: { httpStatus: 400, retryable: false, publicMessage: 'Invalid argument.' },
  INVALID_PROPS: { httpStatus: 400, retryable: false, publicMessage: 'The props do not match the template schema.' },
  TEMPLATE_NOT_FOUND: { httpStatus: 404, retryable: false, publicMessage: 'Unknown template.' },
  VARIANT_NOT_FOUND: { httpStatus: 400, retryable: false, publicMessage: 'Unknown variant for this template.' },
  NOT_FOUND: { httpStatus: 404, retryable: false, publicMessage: 'Not found.' },
  UNAUTHORIZED: { httpStatus: 401, retryable: false, publicMessage: 'Missing or invalid API key.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retryable: false, publicMessage: 'Request body too large.' },
  UNSUPPORTED_ENCODING: { httpStatus: 415, retryable: false, publicMessage: 'Unsupported Content-Encoding: send identity, gzip, deflate or br.' },
  INVALID_KEY: { httpStatus: 400, retryable: false, publicMessage: 'Invalid key or id.' },
  // Remote assets named in props.
  ASSET_FORBIDDEN: { httpStatus: 400, retryable: false, publicMessage: 'A remote asset URL is not allowed.' },
  ASSET_TOO_LARGE: { httpStatus: 400, retryable: false, publicMessage: 'A remote asset is too large.' },
  ASSET_BAD_TYPE: { httpStatus: 400, retryable: false, publicMessage: 'A remote asset is not an allowed image or video type.' },
  ASSET_FETCH_FAILED: { httpStatus: 502, retryable: true, publicMessage: 'A remote asset could not be fetched.' },
  VIDEO_UNREADABLE: { httpStatus: 400, retryable: false, publicMessage: 'A video source could not be decoded.' },
  // Environment and output.
  DEPENDENCY_MISSING: { httpStatus: 500, retryable: false, publicMessage: 'A required program is not installed.' },
  OUTPUT_NOT_WRITABLE: { httpStatus: 500, retryable: false, publicMessage: 'The output path cannot be written.' },
  BUNDLE_FAILED: { httpStatus: 500, retryable: false, publicMessage: 'The template bundle failed to build.' },
  // Rendering.
  DELAY_RENDER_TIMEOUT: { httpStatus: 500, retryable: false, publicMessage: 'A frame waited too long on delayRender.' },
  FRAME_TIMEOUT: { httpStatus: 500, retryable: true, publicMessage: 'A frame took too long to render.' },
  RENDER_TIMEOUT: { httpStatus: 500, retryable: true, publicMessage: 'The render took too long.' },
  TEMPLATE_ERROR: { httpStatus: 500, retryable: false, publicMessage: 'The template threw while rendering.' },
  BROWSER_CRASHED: { httpStatus: 500, retryable: true, publicMessage: 'The browser crashed.' },
  FFMPEG_FAILED: { httpStatus: 500, retryable: true, publicMessage: 'Encoding failed.' },
  CHUNK_FAILED: { httpStatus: 500, retryable: false, publicMessage: 'A part of a split render failed.' },
  // Transcoding (channel deliverables).
  GPU_FAILED: { httpStatus: 500, retryable: true, publicMessage: 'The GPU encode failed.' },
  DELIVERABLE_INVALID: { httpStatus: 500, retryable: false, publicMessage: 'A deliverable failed its checks.' },
  MASTER_MISSING: { httpStatus: 500, retryable: true, publicMessage: 'The master render is not in storage.' },
  // Live links.
  TOKEN_INVALID: { httpStatus: 403, retryable: false, publicMessage: 'This link is not valid.' },
  TOKEN_EXPIRED: { httpStatus: 410, retryable: false, publicMessage: 'This link has expired.' },
  RATE_LIMITED: { httpStatus: 429, retryable: true, publicMessage: 'Too many requests; try again later.' },
  NOT_READY: { httpStatus: 503, retryable: true, publicMessage: 'Still rendering; try again in a few seconds.' },
  SUBJECT_ERASED: { httpStatus: 410, retryable: false, publicMessage: 'This content was erased.' },
  // Send-time minting (GET /v1/live-links/mint): its own keys, which do nothing else.
  MINT_KEY_MISSING: { httpStatus: 401, retryable: false, publicMessage: 'Send a mint key: Authorization: Bearer <one of MINT_KEYS>.' },
  MINT_KEY_INVALID: { httpStatus: 401, retryable: false, publicMessage: 'Unknown mint key.' },
  MINT_KEY_REQUIRED: { httpStatus: 403, retryable: false, publicMessage: 'Minting takes a mint key (MINT_KEYS), never an API or admin key.' },
  MINT_KEY_FORBIDDEN: { httpStatus: 403, retryable: false, publicMessage: 'A mint key only mints (GET /v1/live-links/mint); use an API key here.' },
  // Sticky links and the data spine (src/recipients): a real recipient is never rendered with default data.
  RECIPIENT_PROFILE_MISSING: {
    httpStatus: 404,
    retryable: false,
    publicMessage: 'This link names a recipient who has no profile (PUT /v1/recipients/:id creates one, or the connected CRM has none); nothing is rendered with default data.',
  },
  PROFILE_INCOMPLETE: {
    httpStatus: 409,
    retryable: false,
    publicMessage: "The recipient's profile lacks fields this template needs (see issues); complete it with PATCH /v1/recipients/:id.",
  },
  PROFILE_VERSION_GONE: { httpStatus: 404, retryable: false, publicMessage: 'This version of the page is no longer kept; open the link again.' },
  RECIPIENT_SOURCE_UNAVAILABLE: {
    httpStatus: 503,
    retryable: true,
    publicMessage: 'The recipient data source (the CRM connector) is not answering and no recent copy is kept; try again later.',
  },
  // Zero-knowledge links (src/zero-knowledge): the farm never holds their props or key.
  ZK_LINK_INVALID: { httpStatus: 400, retryable: false, publicMessage: 'This zero-knowledge link is malformed.' },
  ZK_OPEN_FAILED: { httpStatus: 400, retryable: false, publicMessage: 'This link is damaged, or its key (after #k=) is missing or wrong.' },
  ZK_SERVER_RENDER_REFUSED: {
    httpStatus: 403,
    retryable: false,
    publicMessage:
      'Zero-knowledge links are never rendered on the server: it never holds their data. The video plays, and downloads as MP4, in the browser on the link\'s page.',
  },
  ZK_TEMPLATE_VERSION_GONE: {
    httpStatus: 410,
    retryable: false,
    publicMessage: 'This link was made for a template version this server no longer serves; ask the sender for a new link.',
  },
  // CRM webhooks.
  WEBHOOK_URL_FORBIDDEN: { httpStatus: 400, retryable: false, publicMessage: 'The webhook URL is not allowed.' },
  WEBHOOK_DELIVERY_FAILED: { httpStatus: 502, retryable: true, publicMessage: 'The webhook could not be delivered.' },
  // Infrastructure.
  REDIS_UNAVAILABLE: { httpStatus: 503, retryable: true, publicMessage: 'Service temporarily unavailable.' },
  STORAGE_UNAVAILABLE: { httpStatus: 503, retryable: true, publicMessage: 'Service temporarily unavailable.' },
  CONFIG_INVALID: { httpStatus: 500, retryable: false, publicMessage: 'Invalid configuration.' },
  INTERNAL: { httpStatus: 500, retryable: true, publicMessage: 'Internal error.' },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean; publicMessage: string }>;

export type ErrorCode = keyof typeof errorCodes;
