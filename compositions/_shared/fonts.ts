import type { FontDefinition } from '../../src/composition/index.js';

/**
 * Inter (SIL Open Font License 1.1, see compositions/public/fonts/OFL.txt),
 * shipped in the shared `compositions/public/` folder so every template can
 * declare it without a copy. Only the weights the templates use are shipped.
 */
export const INTER_FONTS: FontDefinition[] = [
  { family: 'Inter', src: 'fonts/inter-latin-400-normal.woff2', weight: 400, style: 'normal' },
  { family: 'Inter', src: 'fonts/inter-latin-700-normal.woff2', weight: 700, style: 'normal' },
  { family: 'Inter', src: 'fonts/inter-latin-800-normal.woff2', weight: 800, style: 'normal' },
];

/** CSS font stack: Inter first, then a metric-close system fallback. */
export const INTER_STACK = "Inter, 'Helvetica Neue', Arial, sans-serif";
