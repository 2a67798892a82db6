import type { Template } from '../composition/index.js';
import { createTemplateRegistry, type TemplateRegistry } from '../templates/index.js';

/** A registry whose templates can be replaced while the studio runs. */
export interface StudioRegistry {
  /** Always answers with the latest templates; hand it to the render engine once. */
  readonly registry: TemplateRegistry;
  /** Takes new templates: their bundles are checked again (and rebuilt if changed) on next use. */
  replace(templates: readonly Template[]): void;
}

/**
 * The studio's template registry. Each replace() makes a fresh registry
 * (its bundle memo starts empty, so a changed template gets a new bundle and
 * version), and the facade forwards every call to the current one.
 */
export function createStudioRegistry(options: { templates: readonly Template[]; compositionsDir: string; cacheDir: string }): StudioRegistry {
  const make = (templates: readonly Template[]) =>
    createTemplateRegistry({ templates, compositionsDir: options.compositionsDir, cacheDir: options.cacheDir });
  let current = make(options.templates);
  const registry: TemplateRegistry = {
    list: () => current.list(),
    get: (id) => current.get(id),
    resolveVariant: (template, variant) => current.resolveVariant(template, variant),
    validateProps: (template, props) => current.validateProps(template, props),
    jsonSchema: (template) => current.jsonSchema(template),
    bundle: (id) => current.bundle(id),
  };
  return {
    registry,
    replace(templates) {
      current = make(templates);
    },
  };
}
