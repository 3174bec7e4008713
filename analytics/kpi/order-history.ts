import type { OrderHistory } from '../../contracts/order-history.ts';
import { addDays, daysBetween } from '../../lib/days.ts';
import { mondayOf, usualInterval, weeklySeries } from '../rules/order-rhythm.ts';
import type { Warehouse } from '../warehouse.ts';

const WEEKLY = `
  SELECT toString(toMonday(day)) AS week, uniqExactMerge(orders) AS orders, sum(value) AS value
  FROM order_days
  WHERE store_id = {store_id:String} AND day BETWEEN toDate({from:String}) AND toDate({to:String})
  GROUP BY week ORDER BY week`;

// Distinct order days of the whole history up to `to`: the usual interval and the last order.
const ORDER_DAYS = `
  SELECT toString(day) AS order_day FROM order_days
  WHERE store_id = {store_id:String} AND day <= toDate({to:String})
  GROUP BY day ORDER BY day`;

/** A store's orders per week over the `weeks` up to `to`, its last order and its usual interval between orders. */
export async function orderHistory(warehouse: Warehouse, storeId: string, to: string, weeks: number): Promise<OrderHistory> {
  const from = mondayOf(addDays(to, -7 * (weeks - 1)));
  const [weekly, days] = await Promise.all([
    warehouse.query<{ week: string; orders: number; value: number }>(WEEKLY, { store_id: storeId, from, to }),
    warehouse.query<{ order_day: string }>(ORDER_DAYS, { store_id: storeId, to }),
  ]);
  const series = weeklySeries(weekly, from, to);
  const orderDays = days.map((d) => d.order_day);
  const last = orderDays.at(-1) ?? null;
  return {
    store_id: storeId,
    from,
    to,
    weeks: series,
    orders: series.reduce((sum, w) => sum + w.orders, 0),
    value: Number(series.reduce((sum, w) => sum + w.value, 0).toFixed(2)),
    last_order_day: last,
    days_since_last_order: last === null ? null : daysBetween(last, to),
    usual_interval_days: usualInterval(orderDays),
  };
}
