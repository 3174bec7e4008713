import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding the real photos `fileNames` (fetched public data kept outside the repository, see each fixture's
 * MANIFEST.md): $SHELFPULSE_REAL_SHELVES, test/fixtures/real-shelves or ../shared/real-shelves, whichever holds them
 * all; undefined where none does (the tests that need them are skipped).
 */
export function realPhotoDir(fileNames: readonly string[]): string | undefined {
  return [process.env.SHELFPULSE_REAL_SHELVES, 'test/fixtures/real-shelves', '../shared/real-shelves']
    .filter((d): d is string => !!d)
    .find((d) => fileNames.every((f) => fs.existsSync(path.join(d, f))));
}

/** The photos a COCO label file names. */
export const labelledFileNames = (labelsFile: string): string[] =>
  (JSON.parse(fs.readFileSync(labelsFile, 'utf8')) as { images: { file_name: string }[] }).images.map((i) => i.file_name);
