const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and for quoted attribute values
 * (both quote kinds), so untrusted titles, labels and URLs stay text.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Serializes a value as JSON that is safe inside `<script type="application/json">`:
 * `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026`, so neither `</script>`
 * nor `<!--` (which switches the HTML tokenizer into its escaped state) can
 * appear, and U+2028/U+2029 are escaped for older JavaScript parsers.
 * `JSON.parse` of the element's text gives the value back unchanged.
 */
export function jsonForScriptElement(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('jsonForScriptElement(): value is not serializable to JSON');
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
