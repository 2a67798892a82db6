import { staticFile } from './static-file.js';
import type { FontDefinition } from './template.schema.js';

/**
 * Loads the template's fonts with the FontFace API and adds them to the page,
 * so the first frame is never captured with a fallback font. A font that
 * fails to load fails the mount with the family and path named.
 */
export async function loadTemplateFonts(fonts: readonly FontDefinition[]): Promise<void> {
  if (fonts.length === 0) return;
  if (typeof FontFace === 'undefined' || typeof document === 'undefined') {
    throw new Error('loadTemplateFonts(): the FontFace API is not available in this environment');
  }
  await Promise.all(
    fonts.map(async (font) => {
      const descriptors: FontFaceDescriptors = {};
      if (font.weight !== undefined) descriptors.weight = String(font.weight);
      if (font.style !== undefined) descriptors.style = font.style;
      const face = new FontFace(font.family, `url("${staticFile(font.src)}")`, descriptors);
      try {
        await face.load();
      } catch (cause) {
        throw new Error(`Font "${font.family}" could not be loaded from ${font.src}`, { cause });
      }
      document.fonts.add(face);
    }),
  );
  await document.fonts.ready;
}
