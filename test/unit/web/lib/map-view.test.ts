import { describe, expect, it } from 'vitest';
import { clampView, fitPoints, MAX_ZOOM, panBy, zoomAt, zoomOf } from '../../../../web/src/lib/map-view.ts';

const full = { x: 0, y: 0, width: 400, height: 600 };

describe('the map window', () => {
  it('zooms about the pointed place: the point stays where it was on screen', () => {
    const view = zoomAt(full, 2, [100, 150], full);
    expect(zoomOf(view, full)).toBe(2);
    expect(view).toEqual({ x: 50, y: 75, width: 200, height: 300 });
    // The point's share of the window is unchanged: 100/400 before, (100-50)/200 after.
    expect((100 - view.x) / view.width).toBeCloseTo(100 / 400);
  });

  it('never zooms out past the whole map nor in past MAX_ZOOM', () => {
    expect(zoomAt(full, 0.2, [10, 10], full)).toEqual(full);
    expect(zoomOf(zoomAt(full, 1000, [200, 300], full), full)).toBe(MAX_ZOOM);
  });

  it('pans within the map only', () => {
    const view = zoomAt(full, 4, [200, 300], full);
    expect(panBy(view, -1000, 0, full).x).toBe(0);
    expect(panBy(view, 1000, 1000, full)).toMatchObject({ x: 300, y: 450 });
    expect(panBy(full, 50, 50, full)).toEqual(full);
  });

  it('fits a territory’s stores with a margin, keeping the aspect ratio', () => {
    const view = fitPoints(
      [
        [100, 100],
        [140, 160],
      ],
      full,
      10,
    );
    expect(view.width / view.height).toBeCloseTo(full.width / full.height);
    for (const [x, y] of [
      [100, 100],
      [140, 160],
    ] as const) {
      expect(x).toBeGreaterThanOrEqual(view.x);
      expect(x).toBeLessThanOrEqual(view.x + view.width);
      expect(y).toBeGreaterThanOrEqual(view.y);
      expect(y).toBeLessThanOrEqual(view.y + view.height);
    }
    expect(fitPoints([], full)).toEqual(full);
    expect(clampView({ x: -50, y: -50, width: 800, height: 1200 }, full)).toEqual(full);
  });
});
