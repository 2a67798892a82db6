import { AbsoluteFill, Sequence, defineTemplate, useCurrentFrame, useVideoConfig } from '../../src/composition/index.js';
import { Backdrop } from '../_shared/backdrop.js';
import { INTER_FONTS, INTER_STACK } from '../_shared/fonts.js';
import { enter, move } from '../_shared/motion.js';
import { tierPalette } from '../_shared/tiers.js';
import { ClosingLine } from './closing-line.js';
import { Headline } from './headline.js';
import { computeLoyaltyLayout } from './layout.js';
import { ProgressBar } from './progress-bar.js';
import { ProgressRing } from './progress-ring.js';
import {
  TIMELINE,
  loyaltyTierDefaults,
  loyaltyTierSchema,
  progressShare,
  type LoyaltyTierProps,
} from './schema.js';
import { StatsList } from './stats-list.js';

/**
 * Progress to the next loyalty tier: the headline says how far, a meter
 * fills to points / (points + pointsToNextTier) while the figures count, then
 * a closing line; the last second (frames 150-179) holds perfectly still.
 */
function LoyaltyTier(props: LoyaltyTierProps) {
  const frame = useCurrentFrame();
  const { width, height } = useVideoConfig();
  const layout = computeLoyaltyLayout(width, height);
  const { unit } = layout;
  const share = progressShare(props.points, props.pointsToNextTier);
  const fill = move(frame, TIMELINE.fillStart, TIMELINE.fillFrames);
  const meterIn = enter(frame, TIMELINE.meter, 20);
  const total = props.points + props.pointsToNextTier;
  const statIn = (i: number) => enter(frame, TIMELINE.stats + i * 8, 18);
  const meter = {
    rect: layout.meter,
    unit,
    share,
    fill,
    appear: meterIn,
    currentTier: props.currentTier,
    nextTier: props.nextTier,
  };
  const reached = props.pointsToNextTier === 0;

  return (
    <AbsoluteFill style={{ fontFamily: INTER_STACK, overflow: 'hidden' }}>
      <Backdrop accent={`${tierPalette(props.nextTier).glow}33`} />
      <Headline
        rect={layout.header}
        titleSize={layout.titleSize}
        firstName={props.firstName}
        nextTier={props.nextTier}
        pointsToNextTier={props.pointsToNextTier}
        memberSince={props.memberSince}
      />
      {layout.orientation === 'square' ? (
        <ProgressRing {...meter} />
      ) : (
        <ProgressBar {...meter} direction={layout.orientation === 'landscape' ? 'across' : 'upright'} />
      )}
      <StatsList
        rect={layout.stats}
        unit={unit}
        direction={layout.statsDirection}
        items={[
          { label: 'Your points', value: props.points * fill, sizingValue: props.points, appear: statIn(0), accent: '#f5c16c' },
          // Counts down while the bar fills: what is left shrinks as you watch.
          { label: `To ${props.nextTier}`, value: total - props.points * fill, sizingValue: total, appear: statIn(1) },
          { label: 'Member since', value: props.memberSince, sizingValue: props.memberSince, plain: true, appear: statIn(2) },
        ]}
      />
      <Sequence from={TIMELINE.closing}>
        <ClosingLine
          rect={layout.closing}
          unit={unit}
          text={reached ? 'Your new benefits start with your next stay.' : 'Your next stay could take you there.'}
        />
      </Sequence>
    </AbsoluteFill>
  );
}

/** The loyalty-tier template: 6 s at 30 fps, in landscape, portrait and square. */
export default defineTemplate({
  id: 'loyalty-tier',
  title: 'Loyalty tier progress',
  description: 'Shows a member how close they are to their next loyalty tier.',
  schema: loyaltyTierSchema,
  defaultProps: loyaltyTierDefaults,
  fps: 30,
  durationInFrames: 180,
  variants: {
    landscape: { width: 1280, height: 720 },
    portrait: { width: 720, height: 1280 },
    square: { width: 1080, height: 1080 },
  },
  component: LoyaltyTier,
  fonts: INTER_FONTS,
  posterFrame: 165,
  // Recipient profiles (src/recipients propsFromProfile): where each prop comes from; a missing field without a default is an error.
  profileMapping: {
    firstName: { path: 'name.first', default: 'there' },
    currentTier: { path: 'loyalty.tier' },
    nextTier: { path: 'loyalty.nextTier' },
    points: { path: 'loyalty.points' },
    pointsToNextTier: { path: 'loyalty.pointsToNextTier' },
    memberSince: { path: 'loyalty.memberSince' },
  },
});
