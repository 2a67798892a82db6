import { AbsoluteFill, OffthreadVideo, defineTemplate, staticFile, useVideoConfig } from '../../src/composition/index.js';
import { INTER_FONTS, INTER_STACK } from '../_shared/fonts.js';
import { computeWelcomeLayout } from './layout.js';
import { Overlay } from './overlay.js';
import { welcomeClipDefaults, welcomeClipSchema, type WelcomeClipProps } from './schema.js';

/**
 * A brand clip with a personalised welcome over it. The footage
 * (public/brand-clip.mp4, made by scripts/generate-footage.sh) plays
 * frame-exact under the overlay in every shape (cropped to fill, never
 * letterboxed), and its sound is mixed into the master.
 */
function WelcomeClip(props: WelcomeClipProps) {
  const { width, height } = useVideoConfig();
  const layout = computeWelcomeLayout(width, height, props.firstName.length + 1);
  return (
    <AbsoluteFill style={{ fontFamily: INTER_STACK, background: '#081a33', overflow: 'hidden' }}>
      <OffthreadVideo src={staticFile('brand-clip.mp4')} volume={0.8} style={{ width: '100%', height: '100%', objectFit: 'cover' }} />
      <AbsoluteFill style={{ background: layout.scrim }} />
      <Overlay props={props} layout={layout} />
    </AbsoluteFill>
  );
}

/** The welcome-clip template: 6 s at 30 fps over brand footage, in landscape, portrait and square. */
export default defineTemplate({
  id: 'welcome-clip',
  title: 'Welcome clip',
  description: 'A brand clip with the new member’s name, welcome gift and call to action over it.',
  schema: welcomeClipSchema,
  defaultProps: welcomeClipDefaults,
  fps: 30,
  durationInFrames: 180,
  variants: {
    landscape: { width: 1280, height: 720 },
    portrait: { width: 720, height: 1280 },
    square: { width: 1080, height: 1080 },
  },
  component: WelcomeClip,
  fonts: INTER_FONTS,
  posterFrame: 160,
});
