import { Type, type Static } from '@sinclair/typebox';
import { Day } from './dashboard.ts';

/** A customer's (store's) order history: why it is dormant, or how often it orders. */
export const OrderHistorySchema = Type.Object(
  {
    store_id: Type.String(),
    from: Day,
    to: Day,
    weeks: Type.Array(
      Type.Object({ week: Day, orders: Type.Integer(), value: Type.Number() }, { description: 'From the Monday of `week`; weeks without orders are 0' }),
      { description: 'Every week of the period, oldest first' },
    ),
    orders: Type.Integer({ description: 'Orders in the period' }),
    value: Type.Number({ description: 'Order value in the period' }),
    last_order_day: Type.Union([Day, Type.Null()], { description: 'The last day with an order up to `to` (the whole history)' }),
    days_since_last_order: Type.Union([Type.Integer(), Type.Null()]),
    usual_interval_days: Type.Union([Type.Number(), Type.Null()], {
      description: 'The median of the days between its order days (the whole history up to `to`); null under two order days',
    }),
  },
  { title: 'OrderHistory' },
);
export type OrderHistory = Static<typeof OrderHistorySchema>;
