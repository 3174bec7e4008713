import { describe, expect, it } from 'vitest';
import { runLoad } from '../bench/load.ts';

// The short form of `npm run bench:load`: a few seconds of mixed load must produce no error.
describe('load (short form)', () => {
  it('50 posts of 1,000 scans a second plus dashboard reads and shelf photos: no errors, no non-2xx', async () => {
    const report = await runLoad({ durationS: 5, ingestRate: 50, readRate: 20, photoEveryS: 2 });
    expect(report.ingest.requests).toBeGreaterThan(0);
    expect(report.reads.requests).toBeGreaterThan(0);
    expect(report.photos.uploads).toBeGreaterThan(0);
    expect(report.errors).toBe(0);
  });
});
