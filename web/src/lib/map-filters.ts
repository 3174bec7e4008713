import { COMPARE_KINDS, type CompareKind, type MapMetric } from '../../../contracts/enums.ts';

/**
 * The map's filters as plain data, read from and written to its address (so Back and a shared link reopen the same
 * view), and the GET /v1/map query they make. Defaults stay out of the address.
 */

/** The metrics the map offers: the sales change is against the compare-to period. */
export const MAP_CHOICES = ['sales_vs_compare', 'sell_through', 'open_alerts', 'share_of_shelf'] as const satisfies readonly MapMetric[];
export type MapChoice = (typeof MAP_CHOICES)[number];
/** Rolling days up to the latest sales day, the last complete ISO week or month, or the person's own days. */
export const PERIOD_CHOICES = ['7', '28', '91', 'week', 'month', 'custom'] as const;
export type PeriodChoice = (typeof PERIOD_CHOICES)[number];
export { COMPARE_KINDS };

export interface MapFilters {
  metric: MapChoice;
  period: PeriodChoice;
  /** The custom period's days ('' until chosen). */
  from: string;
  to: string;
  compare: CompareKind;
  compareFrom: string;
  compareTo: string;
  category: string;
  brand: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayOr = (text: string | null) => (text && DAY.test(text) ? text : '');
const among = <T extends string>(values: readonly T[], text: string | null, fallback: T): T => values.find((v) => v === text) ?? fallback;

/** The filters in an address; what it does not name (or names wrongly) takes the default. Older links still open. */
export function filtersFromAddress(params: URLSearchParams): MapFilters {
  const asked = params.get('metric');
  // Before the compare-to period, the two sales changes were metrics of their own.
  const legacyPrevious = asked === 'sales_vs_prev';
  const from = dayOr(params.get('from'));
  const to = dayOr(params.get('to'));
  const period = from && to ? 'custom' : among(PERIOD_CHOICES, params.get('period') ?? params.get('days'), '28');
  const compareFrom = dayOr(params.get('compare_from'));
  const compareTo = dayOr(params.get('compare_to'));
  const compare = compareFrom && compareTo ? 'custom' : among(COMPARE_KINDS, params.get('compare'), legacyPrevious ? 'previous_period' : 'last_year');
  return {
    metric: among(MAP_CHOICES, asked, 'sales_vs_compare'),
    period: period === 'custom' && !(from && to) ? '28' : period,
    from,
    to,
    compare: compare === 'custom' && !(compareFrom && compareTo) ? 'last_year' : compare,
    compareFrom,
    compareTo,
    category: params.get('category') ?? '',
    brand: params.get('brand') ?? '',
  };
}

type Query = Record<string, string>;

/** The address's query of the filters (and the territory in focus): only what differs from the defaults. */
export function addressQuery(filters: MapFilters, territory: string | null): Query {
  const custom = filters.period === 'custom' && filters.from && filters.to;
  const customCompare = filters.compare === 'custom' && filters.compareFrom && filters.compareTo;
  return {
    metric: filters.metric === 'sales_vs_compare' ? '' : filters.metric,
    period: filters.period === '28' || filters.period === 'custom' ? '' : filters.period,
    from: custom ? filters.from : '',
    to: custom ? filters.to : '',
    compare: filters.compare === 'last_year' || filters.compare === 'custom' ? '' : filters.compare,
    compare_from: customCompare ? filters.compareFrom : '',
    compare_to: customCompare ? filters.compareTo : '',
    category: filters.category,
    brand: filters.brand,
    territory: territory ?? '',
  };
}

/** The GET /v1/map query; a custom period or compare-to period not yet complete is left out, so it asks nothing wrong. */
export function mapQuery(filters: MapFilters): Query {
  const rolling = filters.period === '7' || filters.period === '28' || filters.period === '91';
  const custom = filters.period === 'custom' && filters.from && filters.to;
  const customCompare = filters.compare === 'custom' && filters.compareFrom && filters.compareTo;
  return {
    metric: filters.metric,
    days: rolling && filters.period !== '28' ? filters.period : '',
    period: filters.period === 'week' || filters.period === 'month' ? filters.period : '',
    from: custom ? filters.from : '',
    to: custom ? filters.to : '',
    compare: filters.compare === 'custom' ? '' : filters.compare,
    compare_from: customCompare ? filters.compareFrom : '',
    compare_to: customCompare ? filters.compareTo : '',
    category: filters.category,
    brand: filters.brand,
  };
}
