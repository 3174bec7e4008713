import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CatalogueFileError, readCatalogueFile } from '../../../vision/catalogue-file.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
const write = (name: string, value: unknown) => {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
  return path.join(dir, name);
};

describe('a recognition catalogue file', () => {
  it('reads products with their pack shots, relative to the file', async () => {
    fs.mkdirSync(path.join(dir, 'packs'), { recursive: true });
    const shot = await sharp({ create: { width: 60, height: 100, channels: 3, background: '#b01c1c' } })
      .png()
      .toBuffer();
    fs.writeFileSync(path.join(dir, 'packs', 'd1.png'), shot);
    const catalogue = readCatalogueFile(
      write('ok.json', {
        products: [
          { sku: 'D1', brand: 'Davidoff', name: 'Davidoff Classic', references: ['packs/d1.png'] },
          { sku: 'W1', brand: 'West', name: 'West Red', aliases: ['WEST'], own: false },
        ],
      }),
    );
    expect(catalogue.products).toEqual([
      { sku: 'D1', brand: 'Davidoff', name: 'Davidoff Classic', aliases: [], own: true, references: [{ id: 'packs/d1.png', image: shot }] },
      { sku: 'W1', brand: 'West', name: 'West Red', aliases: ['WEST'], own: false, references: [] },
    ]);
  });

  it('says what is wrong and where', () => {
    expect(() => readCatalogueFile(write('no-brand.json', { products: [{ sku: 'D1', name: 'x' }] }))).toThrow(/\/products\/0\/brand/);
    expect(() => readCatalogueFile(write('no-image.json', { products: [{ sku: 'D1', brand: 'B', name: 'x', references: ['gone.png'] }] }))).toThrow(
      CatalogueFileError,
    );
    expect(() => readCatalogueFile(path.join(dir, 'missing.json'))).toThrow(/cannot read the catalogue/);
  });
});
