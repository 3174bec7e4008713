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

  describe('a re-close of a day over rows that came late', () => {
    const tentative = (over: Partial<Alert> = {}): Alert => ({ ...opened, ...over });
    const reclose = (findings: Finding[], earlier: Alert[]) =>
      reconcile({ open: [], findings, resolvedSlots: new Set(), asOf: '2026-11-20', now: 'again', tentative: earlier });

    it('an alert the day finds again continues under its id, unchanged when nothing changed', () => {
      expect(reclose([finding()], [tentative()])).toEqual({ opened: [], updated: [], resolved: [] });
      // A later close had moved it on: back to the day's version, the next days are re-closed after.
      const movedOn = tentative({ as_of: '2026-11-21', evidence: { expected_units: 7 } });
      expect(reclose([finding()], [movedOn]).updated).toEqual([
        expect.objectContaining({ id: opened.id, as_of: '2026-11-20', evidence: { expected_units: 6 } }),
      ]);
    });

    it('one it no longer finds is withdrawn: resolved with reason late_data', () => {
      expect(reclose([], [tentative()]).resolved).toEqual([
        expect.objectContaining({ id: opened.id, status: 'resolved', resolved_reason: 'late_data', resolved_at: 'again' }),
      ]);
    });

    it('one the engine resolved since opens again; one a person resolved stays as the person left it', () => {
      const cleared = tentative({ status: 'resolved', resolved_at: 'then', resolved_reason: 'cleared' });
      expect(reclose([finding()], [cleared]).updated).toEqual([
        expect.objectContaining({ id: opened.id, status: 'open', resolved_at: null, resolved_reason: '' }),
      ]);
      const byPerson = tentative({ status: 'resolved', resolved_at: 'then', resolved_reason: '' });
      expect(reclose([finding()], [byPerson])).toEqual({ opened: [], updated: [], resolved: [] });
      expect(reclose([], [byPerson])).toEqual({ opened: [], updated: [], resolved: [] });
    });
  });
});
