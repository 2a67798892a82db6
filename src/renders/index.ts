/**
 * The render lifecycle behind one door: prepare a request, request it once
 * (with a priority), look it up, wait for it, read its status; the output
 * index, the render and transcode job processors, the deliverable chain and
 * the live byte stream. Campaigns, Live links and the API call this, never
 * BullMQ or the output index directly.
 */
export { type TranscodeWorker, createTranscodeWorker } from './create-transcode-worker.js';
export { type DeliverablePlan, type PlannedDeliverable, createDeliverablePlan, planId, planDeliverables } from './deliverable-plan.js';
export { type DeliverableRequest, type DeliverableRequests, createDeliverableRequests } from './deliverable-requests.js';
export { type DeliverableRelease, createDeliverableRelease } from './release-deliverables.js';
export { type DeliverableRequestsOptions } from './queue-transcode-jobs.js';
export { type EnqueueRenderDeps, type EnqueueRenderResult, enqueueRender } from './enqueue-render.js';
export { type RenderJobProgress, type RenderStatus, type RenderStatusDeps, getRenderStatus } from './get-render-status.js';
export { type OutputIndexOptions, type OutputRecordPatch, type OutputIndex, type RestoreOutcome, createOutputIndex } from './output-index.js';
export { outputRecordSchema, type OutputRecord } from './output-record.schema.js';
export { renderRequestInputSchema, type RenderRequestInput, type PreparedRenderJob, type PrepareRenderJobDeps, prepareRenderJob, createRenderJobPreparer } from './prepare-render-job.js';
export { processRenderJob } from './process-render-job.js';
export { type RenderJobContext, type RenderJobLike, type RenderJobResult, type RenderSplitContext } from './render-job-context.js';
export { idleRenderSlots } from './idle-render-slots.js';
export { CAPTURE_PROFILE_RENDERS, createCaptureProfiles, type CaptureProfiles, type CaptureProfilesOptions } from './capture-profiles.js';
export { type TranscodeOutcome, type TranscodeFn, type TranscodeJobContext, type TranscodeJobResult, processTranscodeJob } from './process-transcode-job.js';
export { type CampaignChunk, type QueueOutcome, queueNewRenders } from './queue-new-renders.js';
export { type RenderOutputIndex, type RenderRegistry } from './render-deps.js';
export { renderJobKey } from './render-job-key.js';
export { DELIVERIES_PER_JOB, RENDER_CHUNK_JOB_NAME, renderJobSchema, type RenderJobData, renderOutputKey } from './render-job.schema.js';
export { type RenderState, renderStateFromJob, contentTypeOf } from './render-state.js';
export { type RenderStreamEvent, type RenderStreamHubOptions, type RenderStreamHub, createRenderStreamHub } from './render-stream-hub.js';
export { type RenderStreamWriter, type RenderStreamWriterOptions, createRenderStreamWriter } from './render-stream-writer.js';
export { transcodeJobSchema, type TranscodeJobData, deliverableStorageKey } from './transcode-job.schema.js';
export { type TranscodeSlotsOptions, type TranscodeSlot, type TranscodeSlots, createTranscodeSlots } from './transcode-slots.js';
export { type WaitForRenderDeps, waitForRender } from './wait-for-render.js';
export { type Renders, type RendersDeps, createRenders } from './create-renders.js';
export { createRenderQueue, type RenderQueue, type RenderQueueOptions } from './create-render-queue.js';
export { createRenderWorker, type RenderWorker, type RenderWorkerOptions } from './create-render-worker.js';
export { findStoredByKey, lookupOutput, restoreFromStore, storedOutput, type RestoredFields } from './done-and-stored.js';
export { claimJobSlot, requestOnce, type RequestOnceDeps, type RequestOnceOptions, type RequestOnceResult, type RequestOutcome } from './request-once.js';
