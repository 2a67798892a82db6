export { TEMPLATE_ID_PATTERN } from './template-id.js';
export { buildBundle, type BuildBundleOptions, type BuiltBundle } from './build-bundle.js';
export { getOrBuildBundle } from './bundle-cache.js';
export { createTemplateRegistry, type TemplateRegistry, type TemplateRegistryOptions, type TemplateSummary } from './template-registry.js';
export { templateJsonSchema } from './template-json-schema.js';
export { validateProps, type PropsIssue } from './validate-props.js';
export { scaffoldTemplate, type ScaffoldTemplateOptions, type ScaffoldTemplateResult } from './scaffold-template.js';
export { buildBrowserScript } from './build-browser-script.js';
export {
  checkRequiredProps,
  coerceText,
  FORBIDDEN_PROP_SEGMENTS,
  isPlainObject,
  isPresent,
  propsFromText,
  schemaAt,
  setPropPath,
  typesOf,
  type JsonSchemaNode,
} from './text-props.js';
