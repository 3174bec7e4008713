/**
 * A folder of a chain's labelled shelf photos, as `shelfpulse eval-photos` scores them and `train-detector` learns
 * from them: the photos and their labels in any layout vision/labels.ts reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { LabelFormatError, parseCocoLabels, parseSku110kCsv, parseYoloClassNames, parseYoloLabels, type LabelledPhoto } from './labels.ts';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/**
 * The labels of DIR: the file given (COCO JSON, or a SKU-110K CSV), else a COCO JSON file in DIR, else a CSV file in
 * DIR, else YOLO txt files with classes.txt or data.yaml.
 */
export async function readLabelledPhotos(dir: string, labelsFile?: string): Promise<{ photos: LabelledPhoto[]; imageDir: string }> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new LabelFormatError(`${dir} is not a folder of photos`);
  const inDir = (ext: string) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(ext))
      .sort()
      .map((f) => path.join(dir, f));
  const file = labelsFile ?? inDir('.json').find((f) => /"annotations"/.test(fs.readFileSync(f, 'utf8'))) ?? inDir('.csv')[0];
  if (file) {
    if (!fs.existsSync(file)) throw new LabelFormatError(`the label file ${file} does not exist`);
    const text = fs.readFileSync(file, 'utf8');
    return { photos: file.toLowerCase().endsWith('.csv') ? parseSku110kCsv(text) : parseCocoLabels(text), imageDir: dir };
  }

  // YOLO: images in DIR or DIR/images, one txt a photo beside it or in DIR/labels.
  const imageDir = fs.existsSync(path.join(dir, 'images')) ? path.join(dir, 'images') : dir;
  const labelDir = fs.existsSync(path.join(dir, 'labels')) ? path.join(dir, 'labels') : imageDir;
  const namesFile = ['classes.txt', 'data.yaml', 'dataset.yaml'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!namesFile)
    throw new LabelFormatError(`${dir} has no labels: put a COCO JSON file or a SKU-110K CSV in it, or YOLO txt files with classes.txt or data.yaml`);
  const classNames = parseYoloClassNames(fs.readFileSync(namesFile, 'utf8'), namesFile.endsWith('.txt') ? 'txt' : 'yaml');
  const photos: LabelledPhoto[] = [];
  for (const fileName of fs
    .readdirSync(imageDir)
    .filter((f) => IMAGE.test(f))
    .sort()) {
    const txt = path.join(labelDir, fileName.replace(IMAGE, '.txt'));
    if (!fs.existsSync(txt)) continue;
    // The labels are fractions of the upright photo, as labelling tools show it.
    const meta = await sharp(path.join(imageDir, fileName)).metadata();
    const turned = (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height! : meta.width!;
    const height = turned ? meta.width! : meta.height!;
    photos.push(parseYoloLabels(fs.readFileSync(txt, 'utf8'), classNames, { fileName, width, height }));
  }
  return { photos, imageDir };
}

/** The file of a labelled photo in its folder (labels may name it with a sub-folder the export dropped). */
export function photoFile(imageDir: string, photo: Pick<LabelledPhoto, 'fileName'>): string {
  const file = [path.join(imageDir, photo.fileName), path.join(imageDir, path.basename(photo.fileName))].find((f) => fs.existsSync(f));
  if (!file) throw new LabelFormatError(`the labels name ${photo.fileName}, which is not in ${imageDir}`);
  return file;
}
