import { AbsoluteFill, Sequence, defineTemplate, useVideoConfig } from '../../src/composition/index.js';
import { Backdrop } from '../_shared/backdrop.js';
import { INTER_FONTS, INTER_STACK } from '../_shared/fonts.js';
import { ClosingCard } from './closing-card.js';
import { DestinationCard } from './destination-card.js';
import { RecapHeader } from './header.js';
import { computeRecapLayout } from './layout.js';
import { TIMELINE, yearRecapDefaults, yearRecapSchema, type YearRecapProps } from './schema.js';
import { StatCard } from './stat-card.js';

/**
 * "Your 2026 with Aurora Hotels": a hospitality year-end recap. Scenes
 * arrive one after another (greeting, nights, points, top destination, tier
 * and call-to-action) and build a summary board that holds, perfectly still,
 * for the last two seconds (frames 180-239).
 */
function YearRecap(props: YearRecapProps) {
  const { width, height } = useVideoConfig();
  const layout = computeRecapLayout(width, height);
  const { unit } = layout;
  return (
    <AbsoluteFill style={{ fontFamily: INTER_STACK, overflow: 'hidden' }}>
      <Backdrop />
      <Sequence from={TIMELINE.greeting}>
        <RecapHeader firstName={props.firstName} rect={layout.header} titleSize={layout.titleSize} />
      </Sequence>
      <Sequence from={TIMELINE.nights}>
        <StatCard
          rect={layout.nights}
          unit={unit}
          label="Nights stayed"
          value={props.nightsStayed}
          caption={props.nightsStayed === 1 ? 'night with us this year' : 'nights with us this year'}
          accent="#ffffff"
          countFrames={40}
        />
      </Sequence>
      <Sequence from={TIMELINE.points}>
        <StatCard
          rect={layout.points}
          unit={unit}
          label="Points earned"
          value={props.pointsEarned}
          caption="ready for your next escape"
          accent="#f5c16c"
          countFrames={48}
        />
      </Sequence>
      <Sequence from={TIMELINE.destination}>
        <DestinationCard
          rect={layout.destination}
          unit={unit}
          destination={props.topDestination}
          imageUrl={props.heroImageUrl}
        />
      </Sequence>
      <Sequence from={TIMELINE.closing}>
        <ClosingCard rect={layout.closing} unit={unit} tier={props.memberTier} ctaLabel={props.cta.label} />
      </Sequence>
    </AbsoluteFill>
  );
}

/** The year-recap template: 8 s at 30 fps, in landscape, portrait and square. */
export default defineTemplate({
  id: 'year-recap',
  title: 'Year in review',
  description: 'Hospitality year-end recap: nights, points, top destination, tier and a booking call-to-action.',
  schema: yearRecapSchema,
  defaultProps: yearRecapDefaults,
  fps: 30,
  durationInFrames: 240,
  variants: {
    landscape: { width: 1280, height: 720 },
    portrait: { width: 720, height: 1280 },
    square: { width: 1080, height: 1080 },
  },
  component: YearRecap,
  ctas: [{ id: 'book', label: 'Book your next stay', url: 'https://hotel.example/book?tier={memberTier}' }],
  audio: { src: 'music.m4a', volume: 0.8 },
  fonts: INTER_FONTS,
  posterFrame: 200,
});
