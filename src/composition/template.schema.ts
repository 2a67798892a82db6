import type { ComponentType } from 'react';
import type { z } from 'zod';
import type { ProfileMapping } from './profile-mapping.js';

/** Pixel size of one named variant (landscape, portrait, square, ...). */
export interface VariantSize {
  width: number;
  height: number;
}

/**
 * A call-to-action the template declares. `url` may hold `{propName}`
 * placeholders that are filled from the customer's props (URL-encoded); the
 * Live URL redirect follows only these declared URLs, never an arbitrary one.
 */
export interface CtaDefinition {
  id: string;
  label: string;
  url: string;
}

/** A soundtrack mixed into the master from frame 0. `src` is a staticFile() path. */
export interface AudioDefinition {
  src: string;
  volume?: number;
}

/** A font shipped with the template; `src` is a staticFile() path. */
export interface FontDefinition {
  family: string;
  src: string;
  weight?: number | string;
  style?: 'normal' | 'italic';
}

/** What a template author passes to defineTemplate(). */
export interface TemplateInput<S extends z.ZodType> {
  id: string;
  title?: string;
  description?: string;
  schema: S;
  defaultProps: z.input<S>;
  fps: number;
  durationInFrames: number;
  variants: Record<string, VariantSize>;
  /** Defaults to the first variant. */
  defaultVariant?: string;
  component: ComponentType<z.output<S>>;
  ctas?: CtaDefinition[];
  audio?: AudioDefinition;
  fonts?: FontDefinition[];
  /** The frame that best shows the customer's data: used for stills, posters, call-centre cards. */
  posterFrame?: number;
  /**
   * Changes to the default channel profiles for this template (validated on
   * the server by resolveChannelProfile): e.g. map `inapp` to `square` when
   * there is no portrait variant, or give `email` a smaller GIF.
   */
  channelProfiles?: Record<string, { variant?: string; deliverables?: readonly object[] }>;
  /**
   * How props come from a recipient profile (src/recipients propsFromProfile):
   * prop -> `{ path: 'name.first', default?: 'there' }`, checked against the
   * schema when the template is defined.
   */
  profileMapping?: ProfileMapping;
}

/** What a template author passes to defineStill(): a template without time. */
export type StillInput<S extends z.ZodType> = Omit<TemplateInput<S>, 'fps' | 'durationInFrames' | 'posterFrame' | 'audio'>;

/** A resolved, frozen template. */
export interface Template<S extends z.ZodType = z.ZodType> extends TemplateInput<S> {
  defaultVariant: string;
  posterFrame: number;
  ctas: CtaDefinition[];
  fonts: FontDefinition[];
  /** Declared with defineStill(): one frame, rendered as an image (png, jpg, webp), never as a video. */
  still?: true;
}

/** What useVideoConfig() returns. */
export interface VideoConfig {
  width: number;
  height: number;
  fps: number;
  durationInFrames: number;
  variant: string;
}

/** One audio track the page asks to be mixed, in absolute frames of the composition. */
export interface AudioTrack {
  src: string;
  fromFrame: number;
  /** Absent: until the end of the composition. */
  durationInFrames?: number;
  volume: number;
  /** Frames (at the composition's fps) of the source skipped at its start (trim). Absent: 0. */
  startFrom?: number;
  /** Frame (at the composition's fps) of the source where it stops (trim). Absent: its end. */
  endAt?: number;
  /** Speed of the source; absent: 1. */
  playbackRate?: number;
  /** Repeat the trimmed source for the whole duration. */
  loop?: boolean;
}

/**
 * The contract between Node and a page in Chromium, exposed as
 * `window.__mastercut` by the render entry of every template bundle.
 */
export interface PageApi {
  templateId: string;
  /** Render the template for this variant and props (already validated by Node). */
  mount(options: MountOptions): Promise<VideoConfig>;
  /**
   * Show `frame`, then wait for every pending delayRender handle, image decode
   * and font. `changed` is false only when no DOM mutation happened since the
   * previous seek, so the previous captured image can be reused.
   */
  seek(frame: number): Promise<SeekResult>;
  /** Audio tracks registered so far (template audio plus <Audio> elements). */
  audioTracks(): AudioTrack[];
  unmount(): void;
}

export interface MountOptions {
  variant: string;
  props: unknown;
  /** How long one delayRender handle may stay open before the frame fails. */
  delayRenderTimeoutMs: number;
}

export type SeekResult =
  | { ok: true; changed: boolean }
  | { ok: false; code: 'DELAY_RENDER_TIMEOUT' | 'TEMPLATE_ERROR'; message: string; label?: string };
