export { buildLandingClient } from './build-landing-client.js';
export { createLandingPage, type LandingPage } from './create-landing-page.js';
export { landingPageCsp, type LandingPageCspOptions } from './landing-page-csp.js';
export { landingPageStyles } from './landing-page-styles.js';
export {
  landingPageInputSchema,
  type LandingClientData,
  type LandingPageInput,
  type ResolvedLandingPageInput,
} from './landing-page.schema.js';
export { playerPreloadLink, renderLandingPage } from './render-landing-page.js';
