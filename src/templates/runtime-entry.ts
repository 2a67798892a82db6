import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The composition runtime's entry, which every template bundle and scaffolded template imports. */
export const RUNTIME_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../composition/index.ts');
