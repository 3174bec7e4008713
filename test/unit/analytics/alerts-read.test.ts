import { describe, expect, it } from 'vitest';
import { preferredLanguage, presentAlert } from '../../../analytics/alerts-read.ts';
import type { Alert } from '../../../contracts/alerts.ts';

const alert: Alert = {
  id: 'zero_sale:S1:P1:2026-11-20',
  type: 'zero_sale',
  status: 'open',
  store_id: 'S1',
  sku: 'P1',
  territory: '浦东',
  category: '饮料',
  created_at: '2026-11-20T16:00:00.000Z',
  updated_at: '2026-11-20T16:00:00.000Z',
  as_of: '2026-11-20',
  severity: 'high',
  message_zh: '三天零销售',
  message_en: 'No sales for 3 days',
  suggestion_zh: '检查陈列',
  suggestion_en: 'Check the display',
  evidence: {},
  assignee: '王店长',
  resolved_at: null,
};

describe('alert view', () => {
  it('picks the asked language and keeps both; without one shows both', () => {
    expect(presentAlert(alert, 'en')).toMatchObject({
      message: 'No sales for 3 days',
      suggestion: 'Check the display',
      messages: { zh: '三天零销售', en: 'No sales for 3 days' },
    });
    expect(presentAlert(alert, undefined).message).toBe('三天零销售 / No sales for 3 days');
    expect(presentAlert(alert, 'zh')).not.toHaveProperty('message_zh');
  });

  it('reads the language from ?lang first, then the first Accept-Language tag', () => {
    expect(preferredLanguage('en', 'zh-CN')).toBe('en');
    expect(preferredLanguage(undefined, 'zh-CN,zh;q=0.9')).toBe('zh');
    expect(preferredLanguage(undefined, 'en-GB')).toBe('en');
    expect(preferredLanguage(undefined, 'fr-FR,en;q=0.5')).toBeUndefined();
    expect(preferredLanguage(undefined, undefined)).toBeUndefined();
  });
});
