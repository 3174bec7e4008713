import sharp from 'sharp';
import { seededRandom } from '../lib/seeded-random.ts';
import { CATALOG, type CatalogSku } from './demo-packs.ts';

/** x, y, w, h in pixels of the rendered photo. */
export type Box = [number, number, number, number];

export interface ShelfTruth {
  width: number;
  height: number;
  rows: number;
  products: { bbox: Box; sku: string; brand: string; is_competitor: boolean; row: number }[];
  /** Empty spans where a facing of the planogram is sold out. */
  gaps: { row: number; bbox: Box; sku: string }[];
  tags: { bbox: Box; text: string; price: number; promo: boolean; sku: string; row: number }[];
  /** The bay's expected layout: SKUs per row, left to right, one entry per facing. */
  planogram: string[][];
}

export interface RenderOptions {
  width?: number;
  height?: number;
  /** Probability that a facing is sold out (an empty gap). */
  gapRate?: number;
  /** Photo defects; each defaults to a seeded random amount. */
  blurSigma?: number;
  brightness?: number;
  noise?: number;
  jpegQuality?: number;
  /** Camera roll in degrees. */
  tiltDeg?: number;
  /** Shelf rows in the bay (default 4-6, seeded). */
  rows?: number;
  /** Probability that a SKU group is a competitor's (default 0.2): how much of the bay the own brands hold. */
  competitorRate?: number;
}

export interface RenderedShelf {
  jpeg: Buffer;
  truth: ShelfTruth;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const f = (n: number) => n.toFixed(1);

/** One pack as SVG, its box (x, y) top-left, w × h. */
export function packSvg(sku: CatalogSku, x: number, y: number, w: number, h: number): string {
  const font = Math.max(4, Math.min(w / (sku.label.length * 0.8), h * 0.13));
  const text = (ty: number, fill: string) =>
    `<text x="${f(x + w / 2)}" y="${f(ty)}" font-family="DejaVu Sans" font-weight="bold" font-size="${f(font)}" fill="${fill}" text-anchor="middle">${esc(sku.label)}</text>`;
  const shade = `fill="url(#shade)"`;
  switch (sku.shape) {
    case 'box':
      return (
        `<rect x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" fill="${sku.colour}" stroke="#222" stroke-width="0.6"/>` +
        `<rect x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h * 0.2)}" fill="${sku.accent}"/>` +
        `<circle cx="${f(x + w / 2)}" cy="${f(y + h * 0.58)}" r="${f(Math.min(w, h) * 0.22)}" fill="${sku.accent}" opacity="0.85"/>` +
        text(y + h * 0.16, sku.colour) +
        text(y + h * 0.92, sku.accent) +
        `<rect x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" ${shade}/>`
      );
    case 'bottle': {
      const capW = w * 0.36;
      const neckH = h * 0.2;
      return (
        `<rect x="${f(x + (w - capW) / 2)}" y="${f(y)}" width="${f(capW)}" height="${f(h * 0.07)}" fill="${sku.accent}" stroke="#222" stroke-width="0.5"/>` +
        `<path d="M${f(x + (w - capW) / 2)} ${f(y + h * 0.07)} L${f(x + (w + capW) / 2)} ${f(y + h * 0.07)} L${f(x + w)} ${f(y + neckH + h * 0.07)} L${f(x)} ${f(y + neckH + h * 0.07)} Z" fill="${sku.colour}" opacity="0.8"/>` +
        `<rect x="${f(x)}" y="${f(y + neckH + h * 0.07)}" width="${f(w)}" height="${f(h - neckH - h * 0.07)}" rx="${f(w * 0.15)}" fill="${sku.colour}"/>` +
        `<rect x="${f(x)}" y="${f(y + h * 0.45)}" width="${f(w)}" height="${f(h * 0.3)}" fill="${sku.accent}"/>` +
        `<g transform="rotate(-90 ${f(x + w / 2)} ${f(y + h * 0.6)})"><text x="${f(x + w / 2)}" y="${f(y + h * 0.6 + w * 0.12)}" font-family="DejaVu Sans" font-weight="bold" font-size="${f(Math.min(w * 0.4, (h * 0.28) / (sku.label.length * 0.62)))}" fill="${sku.colour}" text-anchor="middle">${esc(sku.label)}</text></g>` +
        `<rect x="${f(x)}" y="${f(y + neckH)}" width="${f(w)}" height="${f(h - neckH)}" rx="${f(w * 0.15)}" ${shade}/>`
      );
    }
    case 'can':
      return (
        `<rect x="${f(x)}" y="${f(y + h * 0.04)}" width="${f(w)}" height="${f(h * 0.92)}" fill="${sku.colour}"/>` +
        `<ellipse cx="${f(x + w / 2)}" cy="${f(y + h * 0.04)}" rx="${f(w / 2)}" ry="${f(h * 0.04)}" fill="#c8c8cc" stroke="#777" stroke-width="0.6"/>` +
        `<ellipse cx="${f(x + w / 2)}" cy="${f(y + h * 0.96)}" rx="${f(w / 2)}" ry="${f(h * 0.04)}" fill="${sku.colour}"/>` +
        `<rect x="${f(x)}" y="${f(y + h * 0.3)}" width="${f(w)}" height="${f(h * 0.14)}" fill="${sku.accent}"/>` +
        `<rect x="${f(x)}" y="${f(y + h * 0.62)}" width="${f(w)}" height="${f(h * 0.06)}" fill="${sku.accent}"/>` +
        text(y + h * 0.55, sku.accent) +
        `<rect x="${f(x)}" y="${f(y + h * 0.04)}" width="${f(w)}" height="${f(h * 0.92)}" fill="url(#metal)"/>`
      );
    case 'pouch': {
      const inset = w * 0.08;
      return (
        `<path d="M${f(x + inset)} ${f(y)} L${f(x + w - inset)} ${f(y)} L${f(x + w)} ${f(y + h)} L${f(x)} ${f(y + h)} Z" fill="${sku.colour}" stroke="#222" stroke-width="0.6"/>` +
        `<rect x="${f(x + inset)}" y="${f(y)}" width="${f(w - 2 * inset)}" height="${f(h * 0.08)}" fill="${sku.accent}" opacity="0.7"/>` +
        `<ellipse cx="${f(x + w / 2)}" cy="${f(y + h * 0.55)}" rx="${f(w * 0.3)}" ry="${f(h * 0.2)}" fill="${sku.accent}"/>` +
        text(y + h * 0.25, sku.accent) +
        `<path d="M${f(x + inset)} ${f(y)} L${f(x + w - inset)} ${f(y)} L${f(x + w)} ${f(y + h)} L${f(x)} ${f(y + h)} Z" ${shade}/>`
      );
    }
  }
}

const DEFS =
  `<defs><linearGradient id="shade" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#000" stop-opacity="0.25"/>` +
  `<stop offset="0.35" stop-color="#fff" stop-opacity="0.18"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></linearGradient>` +
  `<linearGradient id="metal" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#000" stop-opacity="0.3"/>` +
  `<stop offset="0.3" stop-color="#fff" stop-opacity="0.35"/><stop offset="0.6" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></linearGradient></defs>`;

/** A reference image of one pack on a neutral background, for SKU recognition. */
export async function renderPack(sku: CatalogSku, height = 128): Promise<Buffer> {
  const h = height;
  const w = Math.round(h * sku.aspect);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${DEFS}<rect width="${w}" height="${h}" fill="#888"/>${packSvg(sku, 0, 0, w, h)}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function priceText(price: number): string {
  return price.toFixed(2);
}

/**
 * A photo-like shelf bay with exact ground truth: rows of facings grouped by SKU, competitors among them,
 * sold-out gaps, a price tag under each SKU group, a small camera roll and shear, uneven light, blur, noise, JPEG.
 */
export async function renderShelf(seed: number, options: RenderOptions = {}): Promise<RenderedShelf> {
  const random = seededRandom(seed);
  const between = (a: number, b: number) => a + random() * (b - a);
  const W = options.width ?? 1600;
  const H = options.height ?? 1200;
  const gapRate = options.gapRate ?? between(0, 0.12);
  // Drawn even when given, so that an option never shifts the seeded draws that follow.
  const drawnRows = 4 + Math.floor(random() * 3);
  const rowCount = options.rows ?? drawnRows;
  const bayX0 = W * between(0.02, 0.07);
  const bayX1 = W * between(0.93, 0.98);
  const bayY0 = H * between(0.03, 0.08);
  const bayY1 = H * between(0.94, 0.98);
  const rowH = (bayY1 - bayY0) / rowCount;
  const boardH = rowH * 0.13;

  const wall = `hsl(${Math.floor(between(20, 60))}, 15%, ${Math.floor(between(55, 80))}%)`;
  const back = `hsl(${Math.floor(between(0, 360))}, 8%, ${Math.floor(between(70, 92))}%)`;
  let body = `<rect x="${f(bayX0)}" y="${f(bayY0)}" width="${f(bayX1 - bayX0)}" height="${f(bayY1 - bayY0)}" fill="${back}"/>`;

  // The camera: roll, a little horizontal shear (oblique view) and zoom about the centre.
  const roll = ((options.tiltDeg ?? between(-2.5, 2.5)) * Math.PI) / 180;
  const shear = between(-0.05, 0.05);
  const zoom = between(1.0, 1.06);
  const [cx, cy] = [W / 2, H / 2];
  const cos = Math.cos(roll) * zoom;
  const sin = Math.sin(roll) * zoom;
  // M = T(c) · R · Shear · T(-c)
  const m = [cos, sin, cos * shear - sin, sin * shear + cos];
  const e = cx - (m[0]! * cx + m[2]! * cy);
  const fy = cy - (m[1]! * cx + m[3]! * cy);
  const project = (x: number, y: number): [number, number] => [m[0]! * x + m[2]! * y + e, m[1]! * x + m[3]! * y + fy];
  const boxOf = (x: number, y: number, w: number, h: number): Box | null => {
    const pts = [project(x, y), project(x + w, y), project(x, y + h), project(x + w, y + h)];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const cx0 = Math.max(0, x0);
    const cx1 = Math.min(W, x1);
    const cy0 = Math.max(0, y0);
    const cy1 = Math.min(H, y1);
    if (cx1 <= cx0 || cy1 <= cy0 || ((cx1 - cx0) * (cy1 - cy0)) / ((x1 - x0) * (y1 - y0)) < 0.6) return null;
    return [cx0, cy0, cx1 - cx0, cy1 - cy0].map((v) => Math.round(v * 10) / 10) as Box;
  };

  const truth: ShelfTruth = { width: W, height: H, rows: rowCount, products: [], gaps: [], tags: [], planogram: [] };
  const own = CATALOG.filter((s) => !s.is_competitor);
  const competitors = CATALOG.filter((s) => s.is_competitor);
  for (let r = 0; r < rowCount; r++) {
    const rowTop = bayY0 + r * rowH;
    const boardY = rowTop + rowH - boardH;
    const space = rowH - boardH - rowH * 0.04;
    // Plan the row: SKU groups of 1-5 facings until the bay is full, then spread the slack between facings.
    const groups: { sku: CatalogSku; facings: number; w: number; h: number }[] = [];
    let used = 0;
    for (;;) {
      const sku =
        random() < (options.competitorRate ?? 0.2) ? competitors[Math.floor(random() * competitors.length)]! : own[Math.floor(random() * own.length)]!;
      const h = space * sku.heightRatio;
      const w = h * sku.aspect;
      const facings = 1 + Math.floor(random() * 4);
      const fit = Math.min(facings, Math.floor((bayX1 - bayX0 - used) / (w + 4)));
      if (fit < 1) break;
      groups.push({ sku, facings: fit, w, h });
      used += fit * (w + 4);
      if (fit < facings) break;
    }
    const slots = groups.reduce((n, g) => n + g.facings, 0);
    const spacing = (bayX1 - bayX0 - groups.reduce((n, g) => n + g.facings * g.w, 0)) / (slots + 1);
    let x = bayX0 + spacing;
    const plan: string[] = [];
    for (const g of groups) {
      const promo = random() < 0.25;
      const price = promo ? Math.max(0.9, Math.floor(g.sku.regular_price * 0.8) + 0.9) : g.sku.regular_price;
      const tagW = Math.min(rowH * 0.5, g.facings * g.w + (g.facings - 1) * spacing);
      const tagH = boardH * 0.78;
      const tagX = x;
      const tagY = boardY + boardH * 0.11;
      const text = `¥${priceText(price)}`;
      body += `<rect x="${f(tagX)}" y="${f(tagY)}" width="${f(tagW)}" height="${f(tagH)}" fill="${promo ? '#ffd21f' : '#fdfdf8'}" stroke="#555" stroke-width="0.5"/>`;
      body += `<text x="${f(tagX + tagW / 2)}" y="${f(tagY + tagH * 0.78)}" font-family="DejaVu Sans" font-weight="bold" font-size="${f(Math.min(tagH * 0.75, tagW / (text.length * 0.62)))}" fill="${promo ? '#d0021b' : '#111'}" text-anchor="middle">${esc(text)}</text>`;
      const tagBox = boxOf(tagX, tagY, tagW, tagH);
      if (tagBox) truth.tags.push({ bbox: tagBox, text, price, promo, sku: g.sku.sku, row: r });
      for (let k = 0; k < g.facings; k++) {
        plan.push(g.sku.sku);
        const y = boardY - g.h;
        if (random() < gapRate) {
          const gap = boxOf(x, boardY - space, g.w, space);
          if (gap) truth.gaps.push({ row: r, bbox: gap, sku: g.sku.sku });
        } else {
          body += packSvg(g.sku, x, y, g.w, g.h);
          const bbox = boxOf(x, y, g.w, g.h);
          if (bbox) truth.products.push({ bbox, sku: g.sku.sku, brand: g.sku.brand, is_competitor: g.sku.is_competitor, row: r });
        }
        x += g.w + spacing;
      }
    }
    truth.planogram.push(plan);
  }
  // Shelf boards drawn over the row bottoms, then the tags again on top of the boards.
  let boards = '';
  for (let r = 0; r < rowCount; r++) {
    const boardY = bayY0 + (r + 1) * rowH - boardH;
    boards += `<rect x="${f(bayX0 - 6)}" y="${f(boardY)}" width="${f(bayX1 - bayX0 + 12)}" height="${f(boardH)}" fill="#d9d9d6" stroke="#999" stroke-width="1"/>`;
  }
  const tagsFirst = body.indexOf('<rect', body.indexOf('/>') + 2);
  // Boards go under the tags: insert them right after the back panel.
  body = body.slice(0, tagsFirst) + boards + body.slice(tagsFirst);

  const lightX = between(0, W);
  const lightY = between(0, H);
  const vignette = between(0.1, 0.45);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${DEFS}` +
    `<defs><radialGradient id="light" cx="${f(lightX)}" cy="${f(lightY)}" r="${f(Math.max(W, H))}" gradientUnits="userSpaceOnUse">` +
    `<stop offset="0" stop-color="#fff" stop-opacity="0.12"/><stop offset="1" stop-color="#000" stop-opacity="${vignette.toFixed(2)}"/></radialGradient></defs>` +
    `<rect width="${W}" height="${H}" fill="${wall}"/>` +
    `<g transform="matrix(${m.map((v) => v.toFixed(6)).join(' ')} ${e.toFixed(2)} ${fy.toFixed(2)})">${body}</g>` +
    `<rect width="${W}" height="${H}" fill="url(#light)"/></svg>`;

  const blur = options.blurSigma ?? (random() < 0.5 ? 0 : between(0.3, 1.0) * (W / 1600));
  const gain = options.brightness ?? between(0.8, 1.15);
  const noise = options.noise ?? between(2, 8);
  const quality = options.jpegQuality ?? Math.floor(between(65, 92));
  let pipeline = sharp(Buffer.from(svg)).removeAlpha().linear(gain, 0);
  if (blur >= 0.3) pipeline = pipeline.blur(blur);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (noise > 0) {
    // Sensor noise: a cheap approximately Gaussian value (sum of three uniforms) per pixel, seeded.
    const noiseRandom = seededRandom(seed ^ 0x9e3779b9);
    for (let i = 0; i < data.length; i++) {
      const n = (noiseRandom() + noiseRandom() + noiseRandom() - 1.5) * 2 * noise;
      data[i] = Math.max(0, Math.min(255, data[i]! + n));
    }
  }
  const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality })
    .toBuffer();
  return { jpeg, truth };
}
