import { formatMetric, type MetricFormat } from './format.js';

/** `document.getElementById` that fails loudly: the page and its client ship together. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`dashboard: #${id} is missing`);
  return element as T;
}

/** An element with text (never HTML: recipient ids and URLs are untrusted) and attributes. */
export function el(tag: string, text?: string, attrs: Record<string, string> = {}): HTMLElement {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

/**
 * A figure cell: its text is the formatted value; `data-metric` names its
 * JSON path in the data answer, so tests (and people) can find each number.
 */
export function metric(tag: string, path: string, value: number | null | undefined, format: MetricFormat): HTMLElement {
  return el(tag, formatMetric(value, format), { 'data-metric': path, 'data-format': format });
}
