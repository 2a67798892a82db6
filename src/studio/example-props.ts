import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../encode/index.js';
import { AppError } from '../errors/index.js';

/** Name of a stored example: shown in the studio's list, so short and plain. */
export const exampleNameSchema = z.string().trim().min(1).max(60).regex(/^[\p{L}\p{N} ._()'-]+$/u, 'letters, digits, spaces and . _ ( ) \' - only');

const examplesFileSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

/** Example props of one template, by name. */
export type ExampleProps = Record<string, Record<string, unknown>>;

/**
 * Stored example props live in `compositions/<id>/examples.json`, an object
 * of name to props (over the template's defaults). They are not part of the
 * bundle, so saving one never changes the template's version.
 */
export function examplesPath(compositionsDir: string, templateId: string): string {
  return path.join(compositionsDir, templateId, 'examples.json');
}

/** The template's stored examples; none when the file is missing. A malformed file is an error naming it. */
export async function readExamples(compositionsDir: string, templateId: string): Promise<ExampleProps> {
  const file = examplesPath(compositionsDir, templateId);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed = examplesFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new AppError('INVALID_ARGUMENT', `${file} must be an object of example name to props`);
  return parsed.data;
}

/** Adds or replaces one example (props already validated by the caller), written atomically. */
export async function saveExample(compositionsDir: string, templateId: string, name: string, props: Record<string, unknown>): Promise<ExampleProps> {
  const checked = exampleNameSchema.safeParse(name);
  if (!checked.success) throw new AppError('INVALID_ARGUMENT', `example name: ${checked.error.issues[0]!.message}`);
  const examples = { ...(await readExamples(compositionsDir, templateId)), [checked.data]: props };
  await writeFileAtomic(examplesPath(compositionsDir, templateId), `${JSON.stringify(examples, null, 2)}\n`);
  return examples;
}
