import { createPageApi } from './page-api.js';
import type { PageApi, Template } from './template.schema.js';

declare global {
  interface Window {
    /** Set by installPageApi() in a template's render bundle; driven by the render workers. */
    __mastercut?: PageApi;
  }
}

/**
 * Entry point of a template's render bundle: exposes the page API as
 * `window.__mastercut` for the Chromium render workers.
 *
 * @example installPageApi(myTemplate) // in the bundle's entry file
 */
export function installPageApi(template: Template): PageApi {
  const api = createPageApi(template);
  window.__mastercut = api;
  return api;
}
