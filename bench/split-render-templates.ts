/**
 * The templates bench/split-render.ts renders, in a compositions folder of
 * its own (under .cache/, at the depth of compositions/ below the repo root,
 * so imports of the runtime resolve the same way):
 * - `year-recap`, re-exported from compositions/ as it is;
 * - `recap-30s`: a 30-second template (the project has none): year-recap's
 *   scenes looped for 900 frames, its music for the first 8 s.
 */
import { cp, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Template } from '../src/composition/index.js';
import { createTemplateRegistry, type TemplateRegistry } from '../src/templates/index.js';
import { repoRoot } from './live-farm.js';

export const BENCH_COMPOSITIONS = path.join(repoRoot, '.cache/bench-split/compositions');

const RECAP_30S = `import yearRecap from '../../../../compositions/year-recap/index.js';
import { defineTemplate, Loop } from '../../../../src/composition/index.js';

const Recap = yearRecap.component;

/** 30 s: year-recap's 8 s scenes, looped. */
function Recap30s(props: Record<string, unknown>) {
  return (
    <Loop durationInFrames={yearRecap.durationInFrames}>
      <Recap {...(props as never)} />
    </Loop>
  );
}

export default defineTemplate({
  id: 'recap-30s',
  schema: yearRecap.schema,
  defaultProps: yearRecap.defaultProps,
  fps: yearRecap.fps,
  durationInFrames: 900,
  variants: yearRecap.variants,
  component: Recap30s,
  audio: yearRecap.audio,
  fonts: yearRecap.fonts,
});
`;

/** Writes the bench's compositions folder (idempotent) and returns a registry over it. */
export async function benchRegistry(cacheDir: string): Promise<TemplateRegistry> {
  await mkdir(path.join(BENCH_COMPOSITIONS, 'year-recap'), { recursive: true });
  await mkdir(path.join(BENCH_COMPOSITIONS, 'recap-30s'), { recursive: true });
  await writeAtomically(path.join(BENCH_COMPOSITIONS, 'year-recap/index.tsx'), "export { default } from '../../../../compositions/year-recap/index.js';\n");
  await writeAtomically(path.join(BENCH_COMPOSITIONS, 'recap-30s/index.tsx'), RECAP_30S);
  await cp(path.join(repoRoot, 'compositions/public'), path.join(BENCH_COMPOSITIONS, 'public'), { recursive: true });
  for (const id of ['year-recap', 'recap-30s']) {
    await cp(path.join(repoRoot, 'compositions/year-recap/public'), path.join(BENCH_COMPOSITIONS, id, 'public'), { recursive: true });
  }
  const templates = await Promise.all(
    ['year-recap', 'recap-30s'].map(async (id) => ((await import(pathToFileURL(path.join(BENCH_COMPOSITIONS, id, 'index.tsx')).href)) as { default: Template }).default),
  );
  return createTemplateRegistry({ templates, compositionsDir: BENCH_COMPOSITIONS, cacheDir });
}

/**
 * The bench and its two workers each write the folder as they start: a plain
 * write truncates the file another process may be importing at that moment
 * (seen: a worker read an empty module, `default` undefined). A rename is atomic.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
