import path from 'node:path';
import type { ProfileMapping, Template, VariantSize } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import type { BundleRef } from '../render/index.js';
import { getOrBuildBundle } from './bundle-cache.js';
import { RUNTIME_ENTRY } from './runtime-entry.js';
import { templateJsonSchema } from './template-json-schema.js';
import { validateProps } from './validate-props.js';

export interface TemplateRegistryOptions {
  templates: readonly Template[];
  /** Folder holding `<id>/index.tsx` and the shared `public/`. */
  compositionsDir: string;
  /** Bundles are cached under `<cacheDir>/bundles/<id>/`. */
  cacheDir: string;
  runtimeEntry?: string;
}

/** Public description of a template, as the CLI and API show it. */
export interface TemplateSummary {
  id: string;
  title?: string;
  description?: string;
  fps: number;
  durationInFrames: number;
  variants: Record<string, VariantSize>;
  defaultVariant: string;
  hasAudio: boolean;
  /** A single-frame template (defineStill), rendered as an image only. */
  still: boolean;
  ctas: { id: string; label: string }[];
  /** Where props come from in a recipient profile (docs/data-spine.md), when the template declares it. */
  profileMapping?: ProfileMapping;
}

export type TemplateRegistry = ReturnType<typeof createTemplateRegistry>;

/** Node-side view of the templates: lookup, props validation, JSON Schema, bundles and versions. */
export function createTemplateRegistry(options: TemplateRegistryOptions) {
  const byId = new Map(options.templates.map((t) => [t.id, t]));
  const bundles = new Map<string, Promise<BundleRef>>();

  const get = (id: string): Template => {
    const template = byId.get(id);
    if (!template) {
      throw new AppError('TEMPLATE_NOT_FOUND', `Unknown template "${id}". Known templates: ${[...byId.keys()].join(', ')}.`, {
        details: { templateId: id },
      });
    }
    return template;
  };

  return {
    list: (): TemplateSummary[] => options.templates.map(summarize),
    get,
    /** Resolves a variant name (default: the template's) to its size, or explains which exist. */
    resolveVariant(template: Template, variant?: string): { name: string; size: VariantSize } {
      const name = variant ?? template.defaultVariant;
      const size = template.variants[name];
      if (!size) {
        throw new AppError(
          'VARIANT_NOT_FOUND',
          `Template "${template.id}" has no variant "${name}". Variants: ${Object.keys(template.variants).join(', ')}.`,
          { details: { templateId: template.id, variant: name } },
        );
      }
      return { name, size };
    },
    validateProps: (template: Template, props: unknown) => validateProps(template, props),
    /** The props JSON Schema (input side: fields with defaults are optional). */
    // A copy: callers may annotate what they get; the cached schema stays the one coercion reads.
    jsonSchema: (template: Template) => structuredClone(templateJsonSchema(template)),
    /** Builds (or reuses) the template's bundle; the version is its content hash. */
    bundle(id: string): Promise<BundleRef> {
      get(id);
      let pending = bundles.get(id);
      if (!pending) {
        pending = getOrBuildBundle({
          templateId: id,
          compositionsDir: options.compositionsDir,
          runtimeEntry: options.runtimeEntry ?? RUNTIME_ENTRY,
          outRoot: path.join(options.cacheDir, 'bundles', id),
        }).then((built) => ({ templateId: id, version: built.version, dir: built.dir }));
        pending.catch(() => bundles.delete(id));
        bundles.set(id, pending);
      }
      return pending;
    },
  };
}

function summarize(t: Template): TemplateSummary {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    fps: t.fps,
    durationInFrames: t.durationInFrames,
    variants: t.variants,
    defaultVariant: t.defaultVariant,
    hasAudio: Boolean(t.audio),
    still: t.still === true,
    ctas: t.ctas.map(({ id, label }) => ({ id, label })),
    ...(t.profileMapping ? { profileMapping: t.profileMapping } : {}),
  };
}
