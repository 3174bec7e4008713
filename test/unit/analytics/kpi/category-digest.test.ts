import { describe, expect, it } from 'vitest';
import { DEFAULT_DUE_HOURS } from '../../../../analytics/alerts/deadlines.ts';
import { categoryDigestOf } from '../../../../analytics/kpi/category-digest.ts';
import type { Alert } from '../../../../contracts/alerts.ts';

const NOW = new Date('2026-12-05T00:00:00Z');
const alert = (id: string, category: string, hoursAgo: number, over: Partial<Alert> = {}): Alert => {
  const at = new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
  return {
    ...{ id, type: 'zero_sale', status: 'open', store_id: 'S1', sku: id, territory: '苏南', category, created_at: at, updated_at: at, as_of: at.slice(0, 10) },
    ...{ severity: 'low', evidence: {}, assignee: '', resolved_at: null, message_zh: id, message_en: id, suggestion_zh: '', suggestion_en: '' },
    ...over,
  };
};

describe('a category manager digest', () => {
  it('lists the new alerts of the last day and the overdue ones of its categories, high severity first', () => {
    const open = [
      alert('new-low', '饮料', 2),
      alert('new-high', '饮料', 5, { severity: 'high' }),
      alert('other-category', '乳品', 1),
      alert('yesterday-but-one', '饮料', 30),
      alert('overdue', '饮料', 48),
      alert('resolved', '饮料', 1, { status: 'resolved' }),
      alert('other-territory', '饮料', 1, { territory: '苏中苏北' }),
    ];
    const digest = categoryDigestOf(open, { categories: ['饮料'], territories: ['苏南'], now: NOW, dueHours: DEFAULT_DUE_HOURS, lang: 'en' });
    expect(digest.new_alerts.map((a) => a.id)).toEqual(['new-high', 'new-low']);
    // zero_sale is due in 24 h: the 30 h and 48 h old ones are overdue.
    expect(digest.overdue_alerts.map((a) => a.id)).toEqual(['yesterday-but-one', 'overdue']);
    expect([digest.new_total, digest.overdue_total]).toEqual([2, 2]);
    expect(digest.new_alerts[0]!.message).toBe('new-high');
  });

  it('takes every category and territory when none are named, and lists ten of each with the totals', () => {
    const open = Array.from({ length: 14 }, (_, i) => alert(`a${i}`, i % 2 ? '饮料' : '乳品', 1, { territory: i % 3 ? '苏南' : '苏中苏北' }));
    const digest = categoryDigestOf(open, { categories: [], territories: [], now: NOW, dueHours: DEFAULT_DUE_HOURS, lang: 'zh' });
    expect([digest.new_total, digest.new_alerts.length, digest.overdue_total]).toEqual([14, 10, 0]);
  });
});
