import { escapeHtml as e } from '../../http/index.js';
import { DASHBOARD_STYLES } from './dashboard-styles.js';

export interface LoginPageInput {
  nonce: string;
  /** Where the form posts (`/dashboard/login`). */
  action: string;
  /** The dashboard path to return to, already checked by safeRedirectTarget(). */
  next: string;
  /** Shown above the form after a refused attempt. */
  error?: string;
}

/**
 * The dashboard login form: one password field for the API key, posted
 * form-encoded (never in a URL), and the page to return to in a hidden field.
 * No script at all.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const error = input.error ? `<p class="error" role="alert">${e(input.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>Log in · mastercut dashboard</title>
<style nonce="${e(input.nonce)}">${DASHBOARD_STYLES}</style>
</head>
<body>
<form class="login" method="post" action="${e(input.action)}">
  <h1>mastercut dashboard</h1>
  ${error}
  <label for="apiKey">API key</label>
  <input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required autofocus>
  <input type="hidden" name="next" value="${e(input.next)}">
  <button class="primary" type="submit">Log in</button>
  <p class="muted">Already logged in? A link from another site does not carry the session (it is SameSite=Strict): <a href="${e(input.next)}">continue</a>.</p>
</form>
</body>
</html>
`;
}
