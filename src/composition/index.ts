/**
 * The composition runtime that templates import: a frame-driven React runtime
 * whose visible output derives from the frame number alone.
 */
export type {
  AudioDefinition,
  AudioTrack,
  CtaDefinition,
  FontDefinition,
  MountOptions,
  PageApi,
  SeekResult,
  StillInput,
  Template,
  TemplateInput,
  VariantSize,
  VideoConfig,
} from './template.schema.js';
export { defineTemplate } from './define-template.js';
export { profileMappingProblems, schemaShape, type ProfileFieldRule, type ProfileMapping } from './profile-mapping.js';
export { defineStill } from './define-still.js';
export { interpolate, type ExtrapolateType, type InterpolateOptions } from './interpolate.js';
export { Easing, type EasingFunction } from './easing.js';
export { spring, type SpringOptions } from './spring.js';
export { measureSpring, type MeasureSpringOptions } from './measure-spring.js';
export { DEFAULT_SPRING_CONFIG, type SpringConfig } from './spring-physics.js';
export { interpolateColors } from './interpolate-colors.js';
export { parseCssColour, type RgbaColour } from './css-colour.js';
export { zColor, COLOR_PROP_MAX_LENGTH } from './z-color.js';
export { Series, type SeriesSequenceProps } from './series.js';
export { Loop, type LoopProps, type LoopState } from './loop.js';
export { Freeze, type FreezeProps } from './freeze.js';
export { useCurrentScale } from './runtime-context.js';
export { prefetch } from './prefetch.js';
export type { Prefetched, PrefetchOptions } from './prefetch-registry.js';
export { useCurrentFrame, TimelineContext, type Timeline } from './timeline-context.js';
export { useVideoConfig, VideoConfigContext } from './video-config-context.js';
export { Sequence, type SequenceProps } from './sequence.js';
export { AbsoluteFill, type AbsoluteFillProps } from './absolute-fill.js';
export { CompositionRoot, type CompositionRootProps } from './composition-root.js';
export { delayRender, continueRender, cancelRender } from './delay-render.js';
export {
  createDelayRenderRegistry,
  type DelayRenderOptions,
  type DelayRenderRegistry,
  type PendingDelay,
} from './delay-render-registry.js';
export { createPageRuntime, pageRuntime, type PageRuntime, type RuntimeMode } from './page-runtime.js';
export { invalidateFrame } from './invalidate-frame.js';
export { Img, type ImgProps } from './img.js';
export { Audio, type AudioProps } from './audio.js';
export { Video, OffthreadVideo, type VideoProps } from './video.js';
export {
  VIDEO_FRAME_ORIGIN,
  buildVideoFrameUrl,
  parseVideoFrameUrl,
  videoSourcePosition,
  videoVisibleFrames,
  sourceFrameIndex,
  type VideoFrameRequest,
  type VideoTiming,
} from './video-frame-request.js';
export { staticFile, setStaticBase, getStaticBase } from './static-file.js';
export { remoteImageUrl, REMOTE_IMAGE_URL_MAX_LENGTH } from './remote-image-url.js';
export { random } from './random.js';
export { createPageApi, type PageApiOptions } from './page-api.js';
export { installPageApi } from './render-entry.js';
export { createPlayer, type PlayerHandle, type PlayerOptions } from './player.js';
export { createPlayerApi, installPlayerApi, type PlayerApi } from './install-player-api.js';
export { createPlaybackClock, type PlaybackClock, type PlayerEventType } from './playback-clock.js';
