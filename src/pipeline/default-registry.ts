import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { templates } from '../../compositions/index.js';
import type { Template } from '../composition/index.js';
import type { Config } from '../config/index.js';
import { createTemplateRegistry, type TemplateRegistry } from '../templates/index.js';

/** The repository's compositions/ folder: the templates this farm renders. */
export const compositionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../compositions');

/** The registry of compositions/ alone: enough for listing templates and validating props, no binaries needed. */
export function createDefaultRegistry(config: Pick<Config, 'cacheDir'>): TemplateRegistry {
  return createTemplateRegistry({ templates: templates as readonly Template[], compositionsDir, cacheDir: config.cacheDir });
}
