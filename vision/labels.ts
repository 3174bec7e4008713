/**
 * A chain's own labelled shelf photos, read from the layouts labelling tools and shelf datasets export: COCO JSON
 * (one file for all photos), YOLO txt (one file per photo, class names in classes.txt or data.yaml) and the SKU-110K
 * CSV (one row per box). Pure: the caller reads the files and passes their text.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';

/** What the model card scores; every other class in a label file is counted and left out. */
export type LabelClass = 'product' | 'price_tag' | 'gap';

export interface LabelledBox {
  label: LabelClass;
  /** [x, y, w, h] in the photo's own pixels. */
  bbox: [number, number, number, number];
  /** The brand printed on the pack, where the labeller wrote it. */
  brand?: string;
  /**
   * Whether the labeller could read the brand's own name (its letters, not its logo's look) at the resolution the
   * product stores (`brand_legible`); the brand figures are also given for these packs alone.
   */
  brandLegible?: boolean;
  /** The product (SKU) the pack is, where the labeller wrote it (`attributes.sku`). */
  sku?: string;
  /** This facing's crop is its SKU's reference image (`attributes.reference`): not scored for the SKU, it is its own reference. */
  reference?: boolean;
  /** The price printed on a price tag, where the labeller wrote it. */
  price?: number;
}

export interface LabelledPhoto {
  fileName: string;
  width: number;
  height: number;
  boxes: LabelledBox[];
  /** Boxes of classes the card does not score (e.g. "shelf"), by class name. */
  ignored: Record<string, number>;
}

export class LabelFormatError extends Error {
  override name = 'LabelFormatError';
}

// The names labelling tools and public datasets give these classes (SKU-110K calls every pack "object").
const CLASS_NAMES: Record<string, LabelClass> = {
  product: 'product',
  products: 'product',
  object: 'product',
  pack: 'product',
  item: 'product',
  sku: 'product',
  price: 'price_tag',
  price_tag: 'price_tag',
  pricetag: 'price_tag',
  price_label: 'price_tag',
  tag: 'price_tag',
  gap: 'gap',
  empty: 'gap',
  empty_space: 'gap',
  void: 'gap',
  out_of_stock: 'gap',
};

/**
 * Refuses a photo whose upright shape (width × height as it is analysed) differs from the one its labels were drawn
 * on: a turned or cropped copy puts every box on the wrong pack. A copy of another size is fine (boxes scale).
 */
export function checkLabelledShape(photo: Pick<LabelledPhoto, 'fileName' | 'width' | 'height'>, width: number, height: number): void {
  const labelled = photo.width / photo.height;
  if (Math.abs(width / height - labelled) > 0.01 * labelled)
    throw new LabelFormatError(
      `${photo.fileName} is ${width}×${height} upright, but its labels are drawn on ${photo.width}×${photo.height}: were they drawn on a turned or cropped copy?`,
    );
}

/** The card's class for a label file's class name, or null for a class it does not score. */
export function labelClass(name: string): LabelClass | null {
  return (
    CLASS_NAMES[
      name
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
    ] ?? null
  );
}

interface CocoFile {
  images?: { id: number | string; file_name: string; width: number; height: number }[];
  annotations?: { image_id: number | string; category_id: number | string; bbox: number[]; attributes?: Record<string, unknown> }[];
  categories?: { id: number | string; name: string }[];
}

/** A COCO detection file: images, annotations ([x, y, w, h] boxes) and categories; `attributes.brand` (and `brand_legible`), `sku` (and `reference`) and `price`. */
export function parseCocoLabels(text: string): LabelledPhoto[] {
  let coco: CocoFile;
  try {
    coco = JSON.parse(text) as CocoFile;
  } catch (err) {
    throw new LabelFormatError(`the COCO label file is not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories))
    throw new LabelFormatError('a COCO label file needs "images", "annotations" and "categories" arrays');
  const categories = new Map(coco.categories.map((c) => [String(c.id), c.name]));
  const photos = new Map<string, LabelledPhoto>();
  for (const image of coco.images) {
    if (typeof image.file_name !== 'string' || !(image.width > 0) || !(image.height > 0))
      throw new LabelFormatError(`COCO image ${image.id} needs file_name, width and height`);
    photos.set(String(image.id), { fileName: image.file_name, width: image.width, height: image.height, boxes: [], ignored: {} });
  }
  for (const a of coco.annotations) {
    const photo = photos.get(String(a.image_id));
    const name = categories.get(String(a.category_id));
    if (!photo) throw new LabelFormatError(`a COCO annotation points at image ${a.image_id}, which the file does not list`);
    if (name === undefined) throw new LabelFormatError(`a COCO annotation has category ${a.category_id}, which the file does not list`);
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4 || a.bbox.some((v) => !Number.isFinite(v)))
      throw new LabelFormatError(`a COCO annotation on ${photo.fileName} has no [x, y, w, h] bbox`);
    const label = labelClass(name);
    if (!label) {
      photo.ignored[name] = (photo.ignored[name] ?? 0) + 1;
      continue;
    }
    const brand = a.attributes?.brand ?? a.attributes?.Brand;
    const price = a.attributes?.price ?? a.attributes?.Price;
    const legible = a.attributes?.brand_legible;
    const sku = a.attributes?.sku;
    photo.boxes.push({
      label,
      bbox: a.bbox as [number, number, number, number],
      ...(typeof brand === 'string' && brand.trim() ? { brand: brand.trim(), ...(typeof legible === 'boolean' ? { brandLegible: legible } : {}) } : {}),
      ...(typeof price === 'number' && price > 0 ? { price } : {}),
      ...(typeof sku === 'string' && sku.trim() ? { sku: sku.trim() } : {}),
      ...(a.attributes?.reference === true ? { reference: true } : {}),
    });
  }
  return [...photos.values()];
}

/** Class names from a YOLO classes.txt (one a line) or a data.yaml / dataset.yaml (`names:` as a list or a map). */
export function parseYoloClassNames(text: string, format: 'txt' | 'yaml'): string[] {
  if (format === 'txt')
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const names = (parseYaml(text) as { names?: unknown } | null)?.names;
  if (Array.isArray(names)) return names.map(String);
  if (names && typeof names === 'object') {
    const byIndex = Object.entries(names as Record<string, unknown>);
    const list: string[] = [];
    for (const [index, name] of byIndex) list[Number(index)] = String(name);
    return list;
  }
  throw new LabelFormatError('data.yaml has no `names` (a list of class names, or a map from class index to name)');
}

/** One photo's YOLO txt: a line `class cx cy w h` per box, normalised to the photo's width and height. */
export function parseYoloLabels(text: string, classNames: string[], photo: { fileName: string; width: number; height: number }): LabelledPhoto {
  const result: LabelledPhoto = { ...photo, boxes: [], ignored: {} };
  text.split(/\r?\n/).forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    // A sixth field (a confidence, as a detector's own txt output has) is ignored; polygons are not boxes.
    if (fields.length < 5 || fields.length > 6) throw new LabelFormatError(`${photo.fileName} line ${i + 1}: a YOLO box is "class cx cy w h" (normalised)`);
    const [cls, cx, cy, w, h] = fields.map(Number) as [number, number, number, number, number];
    if (![cls, cx, cy, w, h].every(Number.isFinite) || cx < 0 || cx > 1 || cy < 0 || cy > 1 || w <= 0 || w > 1 || h <= 0 || h > 1)
      throw new LabelFormatError(`${photo.fileName} line ${i + 1}: YOLO coordinates are normalised to 0..1`);
    const name = classNames[cls];
    if (name === undefined) throw new LabelFormatError(`${photo.fileName} line ${i + 1}: class ${cls} has no name in classes.txt / data.yaml`);
    const label = labelClass(name);
    if (!label) {
      result.ignored[name] = (result.ignored[name] ?? 0) + 1;
      return;
    }
    result.boxes.push({ label, bbox: [(cx - w / 2) * photo.width, (cy - h / 2) * photo.height, w * photo.width, h * photo.height] });
  });
  return result;
}

/**
 * The SKU-110K annotation CSV, one row a box: `image_name,x1,y1,x2,y2,class,image_width,image_height` (corners in the
 * photo's pixels; the dataset has no header, a file written by hand may have one).
 */
export function parseSku110kCsv(text: string): LabelledPhoto[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (err) {
    throw new LabelFormatError(`the SKU-110K CSV cannot be read (${(err as Error).message})`);
  }
  if (rows[0] && !Number.isFinite(Number(rows[0][1]))) rows = rows.slice(1);
  const photos = new Map<string, LabelledPhoto>();
  rows.forEach((row, i) => {
    const where = `SKU-110K CSV row ${i + 1}`;
    if (row.length !== 8) throw new LabelFormatError(`${where}: a row is image_name,x1,y1,x2,y2,class,image_width,image_height`);
    const [fileName, name] = [row[0]!, row[5]!];
    const [x1, y1, x2, y2, width, height] = [1, 2, 3, 4, 6, 7].map((k) => Number(row[k]));
    if (![x1, y1, x2, y2, width, height].every(Number.isFinite) || !(width! > 0) || !(height! > 0))
      throw new LabelFormatError(`${where}: the corners and the photo's width and height are numbers (pixels)`);
    if (!(x2! > x1!) || !(y2! > y1!)) throw new LabelFormatError(`${where}: x2 and y2 must be right of and below x1 and y1`);
    let photo = photos.get(fileName);
    if (!photo) photos.set(fileName, (photo = { fileName, width: width!, height: height!, boxes: [], ignored: {} }));
    else if (photo.width !== width || photo.height !== height)
      throw new LabelFormatError(`${where}: ${fileName} was given as ${photo.width}×${photo.height} on an earlier row`);
    const label = labelClass(name);
    if (!label) photo.ignored[name] = (photo.ignored[name] ?? 0) + 1;
    else photo.boxes.push({ label, bbox: [x1!, y1!, x2! - x1!, y2! - y1!] });
  });
  return [...photos.values()];
}
