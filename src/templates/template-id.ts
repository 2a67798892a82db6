/**
 * A template id: the compositions/ folder name, lowercase kebab-ish, also a
 * path segment in URLs and store keys. Defined once; every schema and route
 * that checks an id uses it. (src/zero-knowledge keeps its own copy in
 * ZK_HEADER_PATTERNS: it is bundled into the browser page and must not pull
 * in the Node-side registry.)
 */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
