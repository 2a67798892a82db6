export { createRenderVideo, type RenderVideo, type RenderVideoDeps } from './render-video.js';
export { renderTargetSchema, renderRequestSchema, type RenderRequest, type RenderResult } from './render-request.schema.js';
export type { MediaResolver } from './mix-page-audio.js';
export { createSplitRender, createJoinChunks, type JoinChunks, type JoinChunksRequest, type JoinedChunk, type SplitRender, type SplitRenderDeps, type SplitRenderResult, type RenderChunk, type ChunkRequest } from './split-render.js';
export { costOfFrames, isCaptureProfile, isMeasuredProfile, measuredProfile, measuredProfileKeepingSums, MEASURED_STEP, REUSED_FRAME_COST, type CaptureProfile } from './capture-profile.js';
export { blendCaptureProfile, blendWeight } from './blend-capture-profile.js';
export { CHUNK_START_MS, planChunks, type SplitOptions, type FrameSpan } from './plan-chunks.js';
export { createRenderEngine, type RenderEngine, type RenderEngineOverrides } from './create-render-engine.js';
export { compositionsDir, createDefaultRegistry } from './default-registry.js';
