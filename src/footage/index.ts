/**
 * Source footage of <Video>: finding the file (bundle static file or a
 * guarded https download), probing it, and decoding its frames with ffmpeg
 * into a per-worker cache that answers the capture pages frame by frame.
 */
export {
  createFootageServer,
  type FootageMedia,
  type FootageServer,
  type FootageServerDeps,
  type FootageStats,
} from './create-footage-server.js';
export { footageOptionsSchema, resolveFootageOptions, type FootageOptions } from './footage-options.schema.js';
export { locateFootage, type FootageFetcher, type LocatedFootage } from './locate-footage.js';
export { probeFootage, type FootageInfo, type VideoStreamInfo } from './probe-footage.js';
export { ImageStreamSplitter, jpegLength, pngLength } from './split-image-stream.js';
export { FrameCache, type FrameCacheStats } from './frame-cache.js';
