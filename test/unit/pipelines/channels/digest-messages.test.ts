import { describe, expect, it } from 'vitest';
import type { StoredChannel } from '../../../../analytics/channels.ts';
import type { AlertView } from '../../../../contracts/alerts.ts';
import type { Digest } from '../../../../contracts/dashboard.ts';
import { digestRequest, renderDigest } from '../../../../pipelines/channels/digest-messages.ts';
import { dingtalkSign } from '../../../../pipelines/channels/messages.ts';

const view = (id: string, message: string): AlertView => ({
  ...{ id, type: 'zero_sale', status: 'open', store_id: 'S1', sku: 'P1', territory: '苏南', category: '饮料', created_at: '', updated_at: '', as_of: '' },
  ...{ severity: 'high', evidence: {}, assignee: '', resolved_at: null, message, suggestion: '', messages: { zh: message, en: message } },
  ...{ suggestions: { zh: '', en: '' } },
});
const salesDigest: Digest = {
  from: '2026-11-28',
  to: '2026-12-04',
  chain: { sales: 123456.4, sales_ly: 130000, vs_ly: -0.0503 },
  territories: [{ territory: '苏南', sales: 123456.4, vs_ly: -0.0503, open_alerts_total: 3 }],
  stores_down: [{ store_id: 'S1', name: '南京新街口店', territory: '苏南', sales: 1000, vs_ly: -0.112, open_alerts_total: 1 }],
  stores_up: [],
  feed_outages: [{ store_id: 'S9', name: '无锡店', territory: '苏南', sales: 0, vs_ly: null, open_alerts_total: 1 }],
  dormant_customers: 2,
  open_alerts: 3,
  alerts: [view('zero_sale:S1:P1:2026-12-04', '连续三天零销量')],
};
const channel = (kind: StoredChannel['kind'], secret = ''): StoredChannel => ({
  ...{
    channel_id: 'c1',
    name: 'n',
    kind,
    url: `https://robot.example/send?access_token=t`,
    secret,
    language: 'zh',
    alert_types: [],
    territories: [],
    categories: [],
  },
  ...{ min_severity: 'low', levels: [0], deleted: false, created_by: 'admin', created_at: '', updated_at: '' },
});
const options = { language: 'zh' as const, day: '2026-12-05', publicUrl: 'https://sp.example.com/' };

describe('digest messages', () => {
  it("a director's digest: the change, the territories, the falls, the feed outages and the alerts to act on first, with the link", () => {
    const { title, markdown } = renderDigest({ role: 'director', digest: salesDigest }, options);
    expect(title).toBe('晨报 · 2026-12-05 · 销售总监');
    expect(markdown).toContain('销售额 ¥123,456, 同比 −5.0%');
    expect(markdown).toContain('- 苏南: ¥123,456, −5.0%, 3 未处理预警');
    expect(markdown).toContain('- 南京新街口店 (S1, 苏南): −11.2%');
    expect(markdown).toContain('- 无锡店 (S9)');
    expect(markdown).toContain('[连续三天零销量](https://sp.example.com/alerts?id=zero_sale%3AS1%3AP1%3A2026-12-04)');
    expect(markdown.endsWith('[查看晨报](https://sp.example.com/digest)')).toBe(true);
  });

  it('signs the DingTalk request at the time of each try, and cuts a WeCom card to 4096 bytes keeping the link', () => {
    const request = digestRequest(channel('dingtalk', 'SECsecret'), { role: 'director', digest: salesDigest }, options);
    const { url } = request(1_700_000_000_000);
    expect(url).toBe(`https://robot.example/send?access_token=t&timestamp=1700000000000&sign=${dingtalkSign('SECsecret', 1_700_000_000_000)}`);

    const many = Array.from({ length: 10 }, (_, i) => view(`a${i}`, '零销量'.repeat(100)));
    const content = {
      role: 'category_manager' as const,
      digest: { categories: ['饮料'], new_total: 40, overdue_total: 10, new_alerts: many, overdue_alerts: many },
    };
    const body = JSON.parse(digestRequest(channel('wecom'), content, options)(0).init.body as string);
    expect(Object.keys(body)).toEqual(['msgtype', 'markdown']);
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(body.markdown.content.endsWith('…\n\n[查看晨报](https://sp.example.com/digest)')).toBe(true);
    expect(renderDigest(content, options).markdown).toContain('- 另有 30 条');
  });
});
