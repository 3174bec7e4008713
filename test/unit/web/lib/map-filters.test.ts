import { describe, expect, it } from 'vitest';
import { addressQuery, filtersFromAddress, type MapFilters, mapQuery } from '../../../../web/src/lib/map-filters.ts';

const read = (search: string) => filtersFromAddress(new URLSearchParams(search));
const DEFAULTS: MapFilters = {
  metric: 'sales_vs_compare',
  period: '28',
  from: '',
  to: '',
  compare: 'last_year',
  compareFrom: '',
  compareTo: '',
  category: '',
  brand: '',
};
const bare = (query: Record<string, string>) => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));

describe('the map filters in the address', () => {
  it('takes defaults for what the address does not name or names wrongly', () => {
    expect(read('')).toEqual(DEFAULTS);
    expect(read('metric=profit&period=quarter&compare=yesterday&from=2026-13')).toEqual(DEFAULTS);
  });
  it('reads category, month and previous period, and writes the same address back', () => {
    const filters = read('category=%E4%B9%B3%E5%93%81&period=month&compare=previous_period&territory=x');
    expect(filters).toEqual({ ...DEFAULTS, category: '乳品', period: 'month', compare: 'previous_period' });
    expect(bare(addressQuery(filters, 'x'))).toEqual({ category: '乳品', period: 'month', compare: 'previous_period', territory: 'x' });
  });
  it('opens older links: days and the two sales metrics', () => {
    expect(read('days=7&metric=sales_vs_prev')).toEqual({ ...DEFAULTS, period: '7', compare: 'previous_period' });
    expect(read('metric=sales_vs_ly')).toEqual(DEFAULTS);
  });
  it('keeps custom days only when both ends are there', () => {
    expect(read('from=2026-10-01&to=2026-10-15&compare_from=2025-10-01&compare_to=2025-10-15')).toMatchObject({
      period: 'custom',
      compare: 'custom',
      from: '2026-10-01',
      compareTo: '2025-10-15',
    });
    expect(read('period=custom&from=2026-10-01')).toMatchObject({ period: '28' });
    const halfDone = { ...DEFAULTS, period: 'custom', from: '2026-10-01', compare: 'custom', compareFrom: '2025-10-01' } as MapFilters;
    expect(bare(addressQuery(halfDone, null))).toEqual({});
    expect(bare(mapQuery(halfDone))).toEqual({ metric: 'sales_vs_compare' });
  });
});

describe('the GET /v1/map query of the filters', () => {
  it('asks for rolling days, a calendar period or custom days, and the compare-to period', () => {
    expect(bare(mapQuery(DEFAULTS))).toEqual({ metric: 'sales_vs_compare', compare: 'last_year' });
    expect(bare(mapQuery({ ...DEFAULTS, period: '91' }))).toMatchObject({ days: '91' });
    expect(bare(mapQuery({ ...DEFAULTS, period: 'week', brand: '光明' }))).toMatchObject({ period: 'week', brand: '光明' });
    expect(
      bare(
        mapQuery({
          ...DEFAULTS,
          period: 'custom',
          from: '2026-10-01',
          to: '2026-10-15',
          compare: 'custom',
          compareFrom: '2025-10-01',
          compareTo: '2025-10-15',
        }),
      ),
    ).toEqual({ metric: 'sales_vs_compare', from: '2026-10-01', to: '2026-10-15', compare_from: '2025-10-01', compare_to: '2025-10-15' });
  });
});
