import { describe, expect, it } from 'vitest';
import { assignees, escalationRecipients, routeAlert, type RoutableUser } from '../../../../analytics/alerts/routing.ts';
import type { RoutingRule } from '../../../../contracts/workflow.ts';

const user = (username: string, role: string, scope: Partial<RoutableUser> = {}): RoutableUser => ({
  username,
  role,
  store_ids: [],
  territories: [],
  disabled: false,
  ...scope,
});
const USERS = [
  user('li.manager', 'store_manager', { store_ids: ['S1'] }),
  user('zhou.manager', 'store_manager', { store_ids: ['S2'] }),
  user('wang.rep', 'merchandiser', { territories: ['苏南'] }),
  user('sun.rep', 'merchandiser', { store_ids: ['S1'] }),
  user('old.rep', 'merchandiser', { territories: ['苏南'], disabled: true }),
  user('chen.cat', 'category_manager'),
  user('lead.su', 'sales_director', { territories: ['苏南'] }),
  user('director.zhao', 'sales_director'),
];
const zeroSale = { type: 'zero_sale' as const, store_id: 'S1', territory: '苏南', category: '饮料' };
const priceGap = { ...zeroSale, type: 'price_gap' as const };

describe('alert routing', () => {
  it('gives a shelf or stock problem to the store manager, a price gap to the territory reps (never a disabled user)', () => {
    expect(routeAlert(zeroSale, [], USERS)).toEqual(['li.manager']);
    expect(routeAlert(priceGap, [], USERS)).toEqual(['wang.rep', 'sun.rep']);
    expect(routeAlert({ ...priceGap, territory: '苏北', store_id: 'S9' }, [], USERS)).toEqual([]);
  });

  it('follows the rules an admin set first, and adds the category manager', () => {
    const rules: RoutingRule[] = [
      { kind: 'store', key: 'S1', usernames: ['zhou.manager'] },
      { kind: 'territory', key: '苏南', usernames: ['wang.rep', 'old.rep'] },
      { kind: 'category', key: '饮料', usernames: ['chen.cat'] },
    ];
    expect(routeAlert(zeroSale, rules, USERS)).toEqual(['zhou.manager', 'chen.cat']);
    expect(routeAlert(priceGap, rules, USERS)).toEqual(['wang.rep', 'chen.cat']);
    expect(routeAlert({ ...zeroSale, category: '' }, rules, USERS)).toEqual(['zhou.manager']);
  });

  it('escalates to the territory lead, then to the chain-wide sales directors', () => {
    expect(escalationRecipients(zeroSale, 1, [], USERS)).toEqual(['lead.su']);
    expect(escalationRecipients(zeroSale, 2, [], USERS)).toEqual(['director.zhao']);
    expect(escalationRecipients(zeroSale, 1, [{ kind: 'territory_lead', key: '苏南', usernames: ['chen.cat'] }], USERS)).toEqual(['chen.cat']);
  });

  it('reads the user names of an assignee field', () => {
    expect(assignees('wang.rep, chen.cat,')).toEqual(['wang.rep', 'chen.cat']);
    expect(assignees('')).toEqual([]);
  });
});
