import sharp from 'sharp';
import { pick, seededRandom } from '../lib/seeded-random.ts';
import type { Box } from './render.ts';

/**
 * Training bays that look like a store rather than like the demo: printed pack art (a product photo, a warning
 * panel, a logo, small print) so that the panels inside a pack are not packs; dense small packs, cigarette packs,
 * gable-top cartons showing a side, bottles whose glass vanishes into a dark back, cans, bags with a window, packs
 * hanging from pegs; shelf-edge strips with price labels (and labels with nothing above them); dark, light and
 * cluttered backs; rows cut by the frame; then the camera: keystone and roll, glare, white balance, light falloff,
 * motion or focus blur, sensor noise and hard JPEG. Only for training the detector (models/shelf-detector): the
 * demo and the `eval:vision` held-out set keep `renderShelf`, so that their figures stay comparable.
 */
export interface StoreTruth {
  width: number;
  height: number;
  /** Whole packs, x y w h in the photo's pixels. */
  products: Box[];
  tags: Box[];
}

type Kind = 'carton' | 'box' | 'cigarette' | 'bottle' | 'can' | 'bag' | 'jar';

interface Design {
  kind: Kind;
  colour: string;
  accent: string;
  ink: string;
  photo: string[];
  label: string;
  /** Share of the pack's height given to a warning panel (0: none). */
  warning: number;
  glass: string;
}

const f = (n: number) => n.toFixed(1);
const LATIN = ['Bio', 'Fresh', 'Natur', 'Crunchy', 'Gold', 'Classic', 'Milk', 'Saft', 'Muesli', 'Lemon', 'Extra', 'Slim', 'Blue', 'Red', 'Mint', 'Soft'];
const HANZI = ['中华', '红塔山', '玉溪', '芙蓉王', '伊利', '蒙牛', '农夫山泉', '康师傅', '统一', '旺旺', '黄鹤楼', '利群', '南京', '白沙', '娃哈哈', '达利园'];
const WARNINGS = ['吸烟有害健康', '请勿在禁烟场所吸烟', 'SMOKING KILLS', 'Rauchen ist tödlich', '尽早戒烟有益健康'];

export async function renderStoreShelf(seed: number, options: { width?: number; height?: number } = {}): Promise<{ jpeg: Buffer; truth: StoreTruth }> {
  const random = seededRandom(seed);
  const between = (a: number, b: number) => a + random() * (b - a);
  const chance = (p: number) => random() < p;
  const portrait = chance(0.3);
  const W = options.width ?? (portrait ? 600 : 800);
  const H = options.height ?? (portrait ? 800 : 600);
  const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`;
  const anyColour = () => hsl(between(0, 360), between(20, 95), between(15, 85));
  const text = (x: number, y: number, size: number, fill: string, s: string, anchor = 'middle', bold = true) =>
    `<text x="${f(x)}" y="${f(y)}" font-family="${/[\u4e00-\u9fff]/.test(s) ? 'WenQuanYi Micro Hei' : 'DejaVu Sans'}" ${bold ? 'font-weight="bold"' : ''} font-size="${f(Math.max(2, size))}" fill="${fill}" text-anchor="${anchor}">${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`;
  const rect = (x: number, y: number, w: number, h: number, fill: string, extra = '') =>
    `<rect x="${f(x)}" y="${f(y)}" width="${f(Math.max(0, w))}" height="${f(Math.max(0, h))}" fill="${fill}" ${extra}/>`;
  let defs = '';
  let gradients = 0;
  /** A soft blob of colour (part of a product photo): a radial gradient to transparent. */
  const blob = (cx: number, cy: number, rx: number, ry: number, colour: string) => {
    const id = `g${gradients++}`;
    defs += `<radialGradient id="${id}"><stop offset="0" stop-color="${colour}"/><stop offset="0.6" stop-color="${colour}" stop-opacity="0.8"/><stop offset="1" stop-color="${colour}" stop-opacity="0"/></radialGradient>`;
    return `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(rx)}" ry="${f(ry)}" fill="url(#${id})"/>`;
  };
  /** Small print: grey bars standing for lines of text too small to read. */
  const smallPrint = (x: number, y: number, w: number, h: number, ink: string, lines: number) => {
    let s = '';
    const lh = h / lines;
    for (let k = 0; k < lines; k++) s += rect(x, y + k * lh + lh * 0.25, w * between(0.5, 1), Math.max(0.6, lh * 0.45), ink, 'opacity="0.75"');
    return s;
  };
  /** A product photo: blobs of a few colours and a shape or two, in a panel of the pack. */
  const photo = (x: number, y: number, w: number, h: number, d: Design) => {
    let s = chance(0.5) ? rect(x, y, w, h, d.photo[0]!, 'opacity="0.6"') : '';
    const n = 3 + Math.floor(random() * 6);
    for (let k = 0; k < n; k++)
      s += blob(x + between(0.1, 0.9) * w, y + between(0.15, 0.9) * h, between(0.1, 0.45) * w, between(0.1, 0.4) * h, pick(random, d.photo));
    if (chance(0.5))
      s += `<circle cx="${f(x + w * between(0.3, 0.7))}" cy="${f(y + h * between(0.4, 0.7))}" r="${f(Math.min(w, h) * between(0.1, 0.3))}" fill="${pick(random, d.photo)}"/>`;
    return s;
  };
  const design = (kind: Kind): Design => {
    const hue = between(0, 360);
    const colour = chance(0.3) ? hsl(hue, between(0, 15), between(88, 98)) : hsl(hue, between(35, 90), between(20, 70));
    return {
      kind,
      colour,
      accent: hsl(hue + between(90, 270), between(40, 95), between(25, 65)),
      ink: chance(0.6) ? '#151515' : hsl(hue + 180, 70, 25),
      photo: Array.from({ length: 3 }, anyColour),
      label: chance(0.5) ? pick(random, HANZI) : pick(random, LATIN),
      warning: kind === 'cigarette' ? between(0.3, 0.5) : chance(0.25) ? between(0.1, 0.2) : 0,
      glass: pick(random, ['#2a1408', '#0f2a12', '#3a0a14', '#111418', '#5a3a10', '#1d1d35']),
    };
  };

  /** The printed face of a flat pack: colour, brand band, photo panel, warning panel, small print. */
  const face = (x: number, y: number, w: number, h: number, d: Design) => {
    let s = rect(x, y, w, h, d.colour);
    const warnH = h * d.warning;
    const bodyH = h - warnH;
    const layout = random();
    const brandH = bodyH * between(0.15, 0.3);
    const brandY = layout < 0.5 ? y + bodyH * 0.05 : y + bodyH * between(0.45, 0.6);
    if (chance(0.6)) s += rect(x, brandY, w, brandH, d.accent, chance(0.3) ? `rx="${f(brandH / 2)}"` : '');
    s += text(
      x + w / 2,
      brandY + brandH * 0.75,
      Math.min(brandH * 0.7, (w * 1.1) / Math.max(2, d.label.length * (/[\u4e00-\u9fff]/.test(d.label) ? 1 : 0.65))),
      chance(0.5) ? d.ink : '#fff',
      d.label,
    );
    const photoY = layout < 0.5 ? brandY + brandH + bodyH * 0.04 : y + bodyH * 0.06;
    const photoH = layout < 0.5 ? y + bodyH - photoY - bodyH * 0.08 : brandY - photoY - bodyH * 0.03;
    if (photoH > 2 && chance(0.8)) s += photo(x + w * 0.08, photoY, w * 0.84, photoH, d);
    if (chance(0.7)) s += smallPrint(x + w * 0.1, y + bodyH * 0.88, w * 0.8, bodyH * 0.1, d.ink, 2);
    if (chance(0.3))
      s += `<circle cx="${f(x + w * 0.82)}" cy="${f(y + bodyH * 0.12)}" r="${f(w * 0.08)}" fill="${d.accent}" stroke="#fff" stroke-width="${f(w * 0.015)}"/>`;
    if (warnH > 0) {
      const panel = chance(0.7) ? '#f4f4f0' : '#111';
      s += rect(x, y + bodyH, w, warnH, panel);
      const warning = pick(random, WARNINGS);
      const perChar = /[\u4e00-\u9fff]/.test(warning) ? 1.05 : 0.62;
      s += text(
        x + w / 2,
        y + bodyH + warnH * 0.45,
        Math.min(warnH * 0.3, (w * 0.9) / (warning.length * perChar)),
        panel === '#111' ? '#f4f4f0' : '#111',
        warning,
      );
      s += smallPrint(x + w * 0.1, y + bodyH + warnH * 0.6, w * 0.8, warnH * 0.3, panel === '#111' ? '#ccc' : '#333', 2);
    }
    return s;
  };
  const shadeId = 'shade';
  defs +=
    `<linearGradient id="${shadeId}" x1="0" x2="1"><stop offset="0" stop-color="#000" stop-opacity="0.3"/><stop offset="0.35" stop-color="#fff" stop-opacity="0.2"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></linearGradient>` +
    `<linearGradient id="glass" x1="0" x2="1"><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="0.25" stop-color="#fff" stop-opacity="0.35"/><stop offset="0.35" stop-color="#fff" stop-opacity="0.05"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></linearGradient>`;

  /** One pack as SVG in its box x, y, w, h (the box a person would draw round it). */
  const pack = (d: Design, x: number, y: number, w: number, h: number): string => {
    switch (d.kind) {
      case 'carton': {
        // A gable-top carton, turned a little: its front, one side darker, the gable and a cap.
        const side = w * between(0.12, 0.3);
        const left = chance(0.5);
        const fx = left ? x + side : x;
        const roof = h * between(0.1, 0.18);
        let s = `<path d="M${f(x)} ${f(y + roof)} L${f(x + w / 2)} ${f(y)} L${f(x + w)} ${f(y + roof)} Z" fill="${d.colour}" stroke="#0003"/>`;
        s +=
          rect(left ? x : x + w - side, y + roof, side, h - roof, d.colour) + rect(left ? x : x + w - side, y + roof, side, h - roof, '#000', 'opacity="0.3"');
        s += face(fx, y + roof, w - side, h - roof, d);
        if (chance(0.7))
          s += `<ellipse cx="${f(fx + (w - side) * 0.4)}" cy="${f(y + roof * 0.7)}" rx="${f(w * 0.14)}" ry="${f(roof * 0.45)}" fill="${d.accent}"/>`;
        return s;
      }
      case 'box':
      case 'cigarette': {
        let s = face(x, y, w, h, d);
        if (d.kind === 'cigarette')
          s += `<line x1="${f(x)}" y1="${f(y + h * 0.22)}" x2="${f(x + w)}" y2="${f(y + h * 0.22)}" stroke="#0005" stroke-width="${f(Math.max(0.6, h * 0.01))}"/>`;
        return s + rect(x, y, w, h, 'url(#shade)');
      }
      case 'bottle': {
        const neckW = w * between(0.28, 0.4);
        const capH = h * 0.06;
        const neckH = h * between(0.15, 0.3);
        const shoulder = h * 0.12;
        const cx = x + w / 2;
        let s = rect(cx - neckW / 2, y, neckW, capH, chance(0.5) ? d.accent : anyColour(), `rx="${f(neckW * 0.15)}"`);
        s += `<path d="M${f(cx - neckW / 2)} ${f(y + capH)} L${f(cx + neckW / 2)} ${f(y + capH)} L${f(cx + neckW / 2)} ${f(y + neckH)} L${f(x + w)} ${f(y + neckH + shoulder)} L${f(x + w)} ${f(y + h)} L${f(x)} ${f(y + h)} L${f(x)} ${f(y + neckH + shoulder)} L${f(cx - neckW / 2)} ${f(y + neckH)} Z" fill="${d.glass}"/>`;
        const labelY = y + h * between(0.42, 0.55);
        s += face(x, labelY, w, (y + h - labelY) * between(0.8, 0.95), { ...d, warning: 0 });
        return s + rect(x, y + capH, w, h - capH, 'url(#glass)');
      }
      case 'can': {
        let s =
          rect(x, y + h * 0.03, w, h * 0.94, d.colour) +
          `<ellipse cx="${f(x + w / 2)}" cy="${f(y + h * 0.03)}" rx="${f(w / 2)}" ry="${f(h * 0.03)}" fill="#bbb"/>`;
        s += face(x, y + h * 0.2, w, h * 0.6, { ...d, warning: 0 });
        return s + rect(x, y + h * 0.03, w, h * 0.94, 'url(#glass)');
      }
      case 'jar': {
        let s = rect(x + w * 0.05, y, w * 0.9, h * 0.14, chance(0.5) ? '#c9c9c9' : d.accent, `rx="${f(w * 0.05)}"`);
        s += rect(x, y + h * 0.12, w, h * 0.88, d.glass, `rx="${f(w * 0.12)}"`);
        s += face(x, y + h * 0.35, w, h * 0.45, { ...d, warning: 0 });
        return s + rect(x, y + h * 0.12, w, h * 0.88, 'url(#glass)');
      }
      case 'bag': {
        // A pillow bag: crimped top, a window on what it holds, the printed lower part.
        const crimp = h * 0.06;
        let s = rect(x + w * 0.04, y, w * 0.92, crimp, d.colour) + smallPrint(x + w * 0.1, y + crimp * 0.2, w * 0.8, crimp * 0.6, '#0004', 3);
        const windowH = chance(0.5) ? h * between(0.2, 0.45) : 0;
        s += rect(x, y + crimp, w, h - crimp, d.colour, `rx="${f(w * 0.06)}"`);
        if (windowH > 0) {
          s += rect(x + w * 0.04, y + crimp, w * 0.92, windowH, '#d8c7a0', 'opacity="0.9"');
          for (let k = 0; k < 25; k++)
            s += `<ellipse cx="${f(x + w * between(0.08, 0.92))}" cy="${f(y + crimp + windowH * between(0.1, 0.9))}" rx="${f(w * between(0.02, 0.06))}" ry="${f(w * between(0.015, 0.04))}" fill="${hsl(between(20, 45), between(30, 70), between(25, 75))}"/>`;
        }
        s += face(x + w * 0.02, y + crimp + windowH, w * 0.96, h - crimp - windowH - h * 0.02, d);
        return s + rect(x, y + crimp, w, h - crimp, 'url(#shade)');
      }
    }
  };

  // The back of the shelf.
  const backKind = random();
  const backLight = backKind < 0.4 ? between(3, 25) : between(55, 92);
  const backColour = hsl(between(0, 360), between(0, 25), backLight);
  let scene = rect(-W, -H, 3 * W, 3 * H, backColour);
  if (backKind > 0.75)
    for (let k = 0; k < 40; k++)
      scene += rect(
        between(-0.1, 1) * W,
        between(-0.1, 1) * H,
        between(0.02, 0.3) * W,
        between(0.01, 0.2) * H,
        anyColour(),
        `opacity="${f(between(0.2, 0.8))}"`,
      );
  const products: Box[] = [];
  const tags: Box[] = [];
  const placed = (x: number, y: number, w: number, h: number, into: Box[]) => into.push([x, y, w, h]);
  const tagSvg = (x: number, y: number, w: number, h: number) => {
    const yellow = chance(0.25);
    let s = rect(x, y, w, h, yellow ? '#ffd21f' : chance(0.8) ? '#fafaf5' : '#e6f0ff', 'stroke="#666" stroke-width="0.5"');
    s += smallPrint(x + w * 0.05, y + h * 0.08, w * 0.45, h * 0.35, '#333', 2);
    s += text(
      x + w * 0.95,
      y + h * 0.85,
      h * 0.55,
      yellow ? '#c00' : '#111',
      `${Math.floor(between(1, 60))}${chance(0.5) ? '.' : ','}${Math.floor(between(10, 99))}`,
      'end',
    );
    for (let k = 0; k < 10; k++) s += rect(x + w * 0.06 + k * w * 0.035, y + h * 0.6, w * between(0.006, 0.02), h * 0.3, '#222');
    return s;
  };

  const pegs = chance(0.15);
  const bayX0 = W * between(-0.15, 0.05);
  const bayX1 = W * between(0.95, 1.15);
  if (pegs) {
    // Pegboard: hole dots, packs hanging in a grid from hooks, a small label on each hook.
    defs += '<pattern id="holes" width="18" height="18" patternUnits="userSpaceOnUse"><circle cx="9" cy="9" r="2" fill="#0006"/></pattern>';
    scene += rect(0, 0, W, H, 'url(#holes)');
    const packW = W * between(0.08, 0.18);
    const packH = packW * between(1.1, 1.7);
    const rowGap = packH * between(0.25, 0.5);
    for (let y = H * between(-0.2, 0.1); y < H; y += packH + rowGap) {
      const d = design(chance(0.5) ? 'bag' : 'box');
      for (let x = bayX0; x + packW < bayX1; x += packW * between(1.05, 1.3)) {
        if (chance(0.1)) continue;
        scene += `<line x1="${f(x + packW / 2)}" y1="${f(y - rowGap * 0.6)}" x2="${f(x + packW / 2)}" y2="${f(y + packH * 0.05)}" stroke="#999" stroke-width="2"/>`;
        const depth = 1 + Math.floor(random() * 3);
        for (let k = depth - 1; k >= 0; k--) scene += pack(d, x + k * 2, y + k * 2, packW, packH);
        placed(x, y, packW + (depth - 1) * 2, packH + (depth - 1) * 2, products);
        if (chance(0.6)) {
          scene += tagSvg(x + packW * 0.25, y - rowGap * 0.55, packW * 0.5, rowGap * 0.3);
          placed(x + packW * 0.25, y - rowGap * 0.55, packW * 0.5, rowGap * 0.3, tags);
        }
      }
    }
  } else {
    // Shelves: rows of a kind of pack each, from above the frame to below it.
    const rowH = H * between(0.16, 0.42);
    const stripH = rowH * between(0.07, 0.14);
    const stripColour = chance(0.5) ? hsl(0, 0, between(85, 97)) : chance(0.5) ? hsl(0, 0, between(5, 30)) : anyColour();
    for (let top = H * between(-0.35, 0.05); top < H; top += rowH) {
      const stripY = top + rowH - stripH;
      const kind = pick(random, ['carton', 'box', 'cigarette', 'cigarette', 'bottle', 'bottle', 'can', 'bag', 'bag', 'jar'] as Kind[]);
      const clear = rowH - stripH;
      const aspect = { carton: [0.45, 0.7], box: [0.5, 1.4], cigarette: [0.5, 0.75], bottle: [0.25, 0.45], can: [0.45, 0.7], bag: [0.55, 0.95], jar: [0.6, 1] }[
        kind
      ];
      const stackable = kind === 'cigarette' || kind === 'box' || kind === 'can';
      const layers = stackable && chance(0.35) ? 2 + Math.floor(random() * 2) : 1;
      const packH = (clear * between(0.6, 0.93)) / layers;
      let x = bayX0 + between(0, 0.05) * W;
      while (x < bayX1) {
        const d = design(kind);
        const w = packH * between(aspect[0]!, aspect[1]!);
        const facings = 1 + Math.floor(random() * 6);
        const gapBetween = w * (chance(0.5) ? between(-0.03, 0.04) : between(0.04, 0.2));
        const tagW = Math.min(rowH * 0.6, Math.max(w, stripH * 2.5));
        const tagX = x + between(0, 0.2) * w;
        const tagY = stripY + stripH * between(0.08, 0.2);
        for (let k = 0; k < facings && x < bayX1; k++) {
          if (!chance(0.07)) {
            for (let l = 0; l < layers; l++) {
              const h = packH * between(0.97, 1);
              const y = stripY - (l + 1) * packH + (packH - h);
              scene += pack(d, x, y, w, h);
              placed(x, y, w, h, products);
            }
          }
          x += w + gapBetween;
        }
        scene += `<!--tag-->${tagSvg(tagX, tagY, tagW, stripH * 0.75)}`;
        placed(tagX, tagY, tagW, stripH * 0.75, tags);
        x += w * (chance(0.15) ? between(0.5, 2) : between(0, 0.1));
      }
      // The strip goes under its tags: tags of this row were drawn last into `scene`, so put the strip before them.
      const firstTag = scene.indexOf('<!--tag-->', scene.lastIndexOf('<!--row-->'));
      const strip = rect(-W, stripY, 3 * W, stripH, stripColour) + rect(-W, stripY, 3 * W, stripH * 0.12, '#0004');
      scene = firstTag < 0 ? scene + strip : scene.slice(0, firstTag) + strip + scene.slice(firstTag);
      scene += '<!--row-->';
    }
  }

  // Light: falloff towards one side, glare spots.
  const lightX = between(0, W);
  let light = `<radialGradient id="light" cx="${f(lightX)}" cy="${f(between(-0.2, 0.6) * H)}" r="${f(Math.max(W, H) * between(0.7, 1.3))}" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#fff" stop-opacity="${f(between(0, 0.15))}"/><stop offset="1" stop-color="#000" stop-opacity="${f(between(0.05, 0.5))}"/></radialGradient>`;
  let glare = '';
  for (let k = chance(0.5) ? 1 + Math.floor(random() * 3) : 0; k > 0; k--) {
    light += `<radialGradient id="glare${k}"><stop offset="0" stop-color="#fff" stop-opacity="${f(between(0.5, 0.95))}"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient>`;
    glare += `<ellipse cx="${f(between(0, W))}" cy="${f(between(0, H))}" rx="${f(between(0.02, 0.12) * W)}" ry="${f(between(0.01, 0.06) * H)}" fill="url(#glare${k})"/>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs>${defs}${light}</defs>${scene}${glare}<rect width="${W}" height="${H}" fill="url(#light)"/></svg>`;
  const flat = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();

  // The camera: a homography from the flat scene to the photo (keystone, roll, a little zoom).
  const k = between(0.02, 0.1);
  const corners: [number, number][] = [
    [between(-k, k) * W, between(-k, k) * H],
    [W + between(-k, k) * W, between(-k, k) * H],
    [W + between(-k, k) * W, H + between(-k, k) * H],
    [between(-k, k) * W, H + between(-k, k) * H],
  ];
  const toPhoto = homography(
    [
      [0, 0],
      [W, 0],
      [W, H],
      [0, H],
    ],
    corners,
  );
  const toScene = homography(corners, [
    [0, 0],
    [W, 0],
    [W, H],
    [0, H],
  ]);
  const photoPixels = Buffer.alloc(W * H * 3);
  for (let py = 0; py < H; py++)
    for (let px = 0; px < W; px++) {
      const [sx, sy] = apply(toScene, px + 0.5, py + 0.5);
      const x0 = Math.floor(sx - 0.5);
      const y0 = Math.floor(sy - 0.5);
      const ax = sx - 0.5 - x0;
      const ay = sy - 0.5 - y0;
      const cx0 = Math.min(W - 1, Math.max(0, x0));
      const cx1 = Math.min(W - 1, Math.max(0, x0 + 1));
      const cy0 = Math.min(H - 1, Math.max(0, y0));
      const cy1 = Math.min(H - 1, Math.max(0, y0 + 1));
      for (let c = 0; c < 3; c++) {
        const v =
          (flat[(cy0 * W + cx0) * 3 + c]! * (1 - ax) + flat[(cy0 * W + cx1) * 3 + c]! * ax) * (1 - ay) +
          (flat[(cy1 * W + cx0) * 3 + c]! * (1 - ax) + flat[(cy1 * W + cx1) * 3 + c]! * ax) * ay;
        photoPixels[(py * W + px) * 3 + c] = v;
      }
    }
  const project = (into: Box[]): Box[] =>
    into.flatMap(([x, y, w, h]) => {
      const pts = [apply(toPhoto, x, y), apply(toPhoto, x + w, y), apply(toPhoto, x, y + h), apply(toPhoto, x + w, y + h)];
      const [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
      const [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
      const [cx0, cx1, cy0, cy1] = [Math.max(0, x0), Math.min(W, x1), Math.max(0, y0), Math.min(H, y1)];
      // A pack less than half in the frame is not labelled (nor is a sliver): a person boxes a cut pack they can tell.
      if (cx1 - cx0 < 3 || cy1 - cy0 < 3 || ((cx1 - cx0) * (cy1 - cy0)) / ((x1 - x0) * (y1 - y0)) < 0.5) return [];
      return [[cx0, cy0, cx1 - cx0, cy1 - cy0].map((v) => Math.round(v * 10) / 10) as Box];
    });

  // White balance, exposure, blur (focus or motion), noise, JPEG.
  const gain = between(0.7, 1.2);
  let pipeline = sharp(photoPixels, { raw: { width: W, height: H, channels: 3 } }).linear(
    [gain * between(0.85, 1.15), gain, gain * between(0.8, 1.2)],
    [0, 0, 0],
  );
  const blurKind = random();
  if (blurKind < 0.25) pipeline = pipeline.blur(between(0.4, 1.6));
  else if (blurKind < 0.45) {
    const length = 3 + 2 * Math.floor(random() * 3);
    const horizontal = chance(0.6);
    const kernel = Array.from({ length: length * length }, (_, i) =>
      (horizontal ? Math.floor(i / length) === (length - 1) / 2 : i % length === (length - 1) / 2) ? 1 : 0,
    );
    pipeline = pipeline.convolve({ width: length, height: length, kernel });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const noise = between(0, 10);
  const noiseRandom = seededRandom(seed ^ 0x5bd1e995);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! + (noiseRandom() + noiseRandom() - 1) * noise));
  let jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: Math.floor(between(25, 90)) })
    .toBuffer();
  if (chance(0.3))
    jpeg = await sharp(jpeg)
      .jpeg({ quality: Math.floor(between(40, 85)) })
      .toBuffer();
  return { jpeg, truth: { width: W, height: H, products: project(products), tags: project(tags) } };
}

type Matrix = number[];

/** The 3×3 homography (row-major, h33 = 1) taking the four points `from` to `to`. */
function homography(from: [number, number][], to: [number, number][]): Matrix {
  const a: number[][] = [];
  from.forEach(([x, y], i) => {
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  });
  // Gauss-Jordan on the 8×9 augmented system.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  const w = m[6]! * x + m[7]! * y + m[8]!;
  return [(m[0]! * x + m[1]! * y + m[2]!) / w, (m[3]! * x + m[4]! * y + m[5]!) / w];
}
