import loyaltyTier from './loyalty-tier/index.js';
import reference from './reference/index.js';
import welcomeClip from './welcome-clip/index.js';
import yearRecap from './year-recap/index.js';

/**
 * Every template of the project, for the Node-side registry
 * (src/templates/). Add a new template's default export here.
 */
export const templates = [reference, yearRecap, loyaltyTier, welcomeClip] as const;

export { loyaltyTier, reference, welcomeClip, yearRecap };
