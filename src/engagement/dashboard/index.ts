/**
 * The campaign dashboard: one page per campaign (funnel, channels, time to
 * first response, cross-channel and consistency figures, render progress,
 * webhook failures) behind the API key or a signed session cookie.
 */
export { createDashboardRoutes, DASHBOARD_BASE, type DashboardRoutesDeps, type DashboardRoutesOptions } from './create-dashboard-routes.js';
export { buildDashboardClient, lazyDashboardClient, type DashboardClient } from './build-dashboard-client.js';
export { createDashboardData, type DashboardDataDeps, type DashboardDataOptions } from './load-dashboard-data.js';
export type { DashboardBoot, DashboardData } from './dashboard-data.schema.js';
export { apiKeyId, createDashboardSessions, DASHBOARD_SESSION_COOKIE, type DashboardSessions, type SessionCheck } from './dashboard-session.js';
export { createSessionRevocations, REVOKED_SESSION_PREFIX, type SessionRevocations } from './session-revocations.js';
export { safeRedirectTarget } from './safe-redirect-target.js';
export { dashboardCsp } from './dashboard-csp.js';
