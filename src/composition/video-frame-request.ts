/**
 * The contract between <Video> in a capture page and the renderer's frame
 * server: the page asks for "frame N of this video" with a URL under
 * {@link VIDEO_FRAME_ORIGIN}, the renderer intercepts it and answers with the
 * decoded source frame. The timing maths lives here, once, for both sides and
 * for the live player.
 */

/** `.invalid` never resolves (RFC 2606): only the renderer's request interception answers it. */
export const VIDEO_FRAME_ORIGIN = 'http://video-frames.mastercut.invalid';

/** How a <Video> maps the composition's frames onto its source, Remotion's way. */
export interface VideoTiming {
  /** Frames (at the composition's fps) of the source skipped at its start. */
  startFrom: number;
  /** Frame (at the composition's fps) of the source where it stops; undefined: the source's end. */
  endAt?: number;
  /** 2 plays twice as fast; applies after the trim. */
  playbackRate: number;
  /** Repeat [startFrom, endAt or the source's end) for as long as the <Video> is shown. */
  loop: boolean;
}

/** One frame request of a capture page. */
export interface VideoFrameRequest extends VideoTiming {
  /** Absolute URL of the source: a file of the bundle (staticFile()) or an https URL. */
  src: string;
  /** Frame relative to the start of the <Video> (its Sequence). */
  frame: number;
  /** The composition's frame rate. */
  fps: number;
  /** png keeps an alpha channel (`transparent`); jpeg is smaller and faster. */
  format: 'jpeg' | 'png';
}

// Guards floor/ceil against 39.999999 when a boundary is hit exactly.
const EPSILON = 1e-9;

/** Checks a timing once, with messages naming the prop. */
export function checkVideoTiming(t: VideoTiming, who = '<Video>'): void {
  if (!(Number.isFinite(t.startFrom) && t.startFrom >= 0)) throw new RangeError(`${who}: startFrom must be a number >= 0, got ${t.startFrom}`);
  if (t.endAt !== undefined && !(Number.isFinite(t.endAt) && t.endAt > t.startFrom)) {
    throw new RangeError(`${who}: endAt must be a number greater than startFrom (${t.startFrom}), got ${t.endAt}`);
  }
  if (!(Number.isFinite(t.playbackRate) && t.playbackRate > 0 && t.playbackRate <= 16)) {
    throw new RangeError(`${who}: playbackRate must be a number in (0, 16], got ${t.playbackRate}`);
  }
}

/**
 * How many frames of the composition the video is shown for: with `endAt`
 * and no loop it leaves once the trimmed part has played (as Remotion wraps
 * it in a Sequence); otherwise it stays, holding its last frame past the
 * source's end.
 */
export function videoVisibleFrames(t: VideoTiming): number {
  if (t.loop || t.endAt === undefined) return Infinity;
  return Math.ceil((t.endAt - t.startFrom) / t.playbackRate - EPSILON);
}

/**
 * Where the source is at `frame` of the <Video>, in frames of the
 * composition's fps counted from the source's start (divide by fps for
 * seconds). `sourceFrames` is the source's length at the composition's fps;
 * it is needed only to loop without `endAt`.
 */
export function videoSourcePosition(t: VideoTiming, frame: number, sourceFrames?: number): number {
  const played = frame * t.playbackRate;
  if (!t.loop) return t.startFrom + played;
  const end = t.endAt ?? sourceFrames;
  if (end === undefined) throw new RangeError('videoSourcePosition(): looping without endAt needs the source length');
  const length = end - t.startFrom;
  if (!(length > 0)) return t.startFrom;
  const laps = Math.floor(played / length + EPSILON);
  return t.startFrom + Math.max(0, played - laps * length);
}

/**
 * The source frame shown at a position (composition frames, see
 * {@link videoSourcePosition}): the frame on screen at that instant, as a
 * player would show it, clamped to the source's last frame.
 */
export function sourceFrameIndex(position: number, fps: number, sourceFps: number, sourceFrameCount: number): number {
  const index = Math.floor((position * sourceFps) / fps + 1e-6);
  return Math.max(0, Math.min(sourceFrameCount - 1, index));
}

/** The URL a capture page requests for one frame. */
export function buildVideoFrameUrl(r: VideoFrameRequest): string {
  const query = new URLSearchParams({
    src: r.src,
    frame: String(r.frame),
    fps: String(r.fps),
    from: String(r.startFrom),
    rate: String(r.playbackRate),
    loop: r.loop ? '1' : '0',
    format: r.format,
  });
  if (r.endAt !== undefined) query.set('to', String(r.endAt));
  return `${VIDEO_FRAME_ORIGIN}/frame?${query.toString()}`;
}

function num(query: URLSearchParams, name: string): number {
  const raw = query.get(name);
  const value = raw === null || raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new RangeError(`video frame request: "${name}" must be a number`);
  return value;
}

/** Parses a frame request URL back (renderer side); throws RangeError on anything malformed. */
export function parseVideoFrameUrl(url: string): VideoFrameRequest {
  if (!url.startsWith(`${VIDEO_FRAME_ORIGIN}/frame?`)) throw new RangeError('video frame request: not a frame URL');
  const query = new URL(url).searchParams;
  const src = query.get('src');
  if (!src) throw new RangeError('video frame request: "src" is missing');
  const format = query.get('format');
  if (format !== 'jpeg' && format !== 'png') throw new RangeError('video frame request: "format" must be jpeg or png');
  const frame = num(query, 'frame');
  if (!Number.isInteger(frame) || frame < 0) throw new RangeError('video frame request: "frame" must be an integer >= 0');
  const fps = num(query, 'fps');
  if (!(fps > 0 && fps <= 240)) throw new RangeError('video frame request: "fps" must be in (0, 240]');
  const request: VideoFrameRequest = {
    src,
    frame,
    fps,
    startFrom: num(query, 'from'),
    playbackRate: num(query, 'rate'),
    loop: query.get('loop') === '1',
    format,
    ...(query.has('to') ? { endAt: num(query, 'to') } : {}),
  };
  checkVideoTiming(request, 'video frame request');
  return request;
}
