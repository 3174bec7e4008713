import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.ts';
import { reconcile, type Finding } from '../../../../analytics/alerts/model.ts';

describe('reconciling findings with open alerts', () => {
  const finding = (over: Partial<Finding> = {}): Finding => ({
    type: 'zero_sale',
    store_id: 'S1',
    sku: 'P1',
    territory: 'T',
    category: 'C',
    severity: 'medium',
    evidence: { expected_units: 6 },
    assignee: 'm',
    message_zh: 'zh',
    message_en: 'en',
    suggestion_zh: 'zh',
    suggestion_en: 'en',
    ...over,
  });
  const first = reconcile({ open: [], findings: [finding()], resolvedSlots: new Set(), asOf: '2026-11-20', now: 'now' });
  const opened = first.opened[0]!;

  it('opens one alert with an id derived from what it is about', () => {
    expect(first.opened).toHaveLength(1);
    expect(opened).toMatchObject({ id: 'zero_sale:S1:P1:2026-11-20', status: 'open', as_of: '2026-11-20' });
  });

  it('the same finding again changes nothing; a changed one updates the same alert', () => {
    expect(reconcile({ open: [opened], findings: [finding()], resolvedSlots: new Set(), asOf: '2026-11-20', now: 'later' })).toEqual({
      opened: [],
      updated: [],
      resolved: [],
    });
    const next = reconcile({
      open: [opened],
      findings: [finding({ evidence: { expected_units: 7 } })],
      resolvedSlots: new Set(),
      asOf: '2026-11-21',
      now: 'later',
    });
    expect(next.updated).toEqual([expect.objectContaining({ id: opened.id, as_of: '2026-11-21', evidence: { expected_units: 7 } })]);
  });

  it('one open alert per store × SKU: a stock-out replaces the zero-sale alert', () => {
    const next = reconcile({ open: [opened], findings: [finding({ type: 'out_of_stock' })], resolvedSlots: new Set(), asOf: '2026-11-21', now: 'later' });
    expect(next.resolved.map((a: Alert) => a.id)).toEqual([opened.id]);
    expect(next.opened.map((a: Alert) => a.type)).toEqual(['out_of_stock']);
  });

  it('resolves the slots whose problem ended', () => {
    const next = reconcile({ open: [opened], findings: [], resolvedSlots: new Set(['stock:S1:P1']), asOf: '2026-11-21', now: 'later' });
    expect(next.resolved).toEqual([expect.objectContaining({ id: opened.id, status: 'resolved', resolved_at: 'later' })]);
  });
});
