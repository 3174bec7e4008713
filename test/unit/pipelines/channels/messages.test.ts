import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredChannel } from '../../../../analytics/channels.ts';
import { parseDueHours } from '../../../../analytics/alerts/deadlines.ts';
import { channelRequest } from '../../../../pipelines/channels/delivery.ts';
import { alertLink, channelTakes, dingtalkSign, renderMessage, testNotice, wecomBody, type ChannelNotice } from '../../../../pipelines/channels/messages.ts';
import { openAlert } from '../../analytics/alerts/inputs.ts';

const alert = { ...openAlert('price_gap', 'S1', 'P1'), territory: '苏南', category: '饮料', severity: 'medium' as const, assignee: 'wang.rep' };
const notice: ChannelNotice = { notice_id: 'n1', event: 'opened', alert, level: 0, recipients: ['wang.rep'] };
const filter = { alert_types: [], territories: [], categories: [], min_severity: 'low', levels: [0] };
const channel = (kind: StoredChannel['kind'], more: Partial<StoredChannel> = {}): StoredChannel => ({
  channel_id: 'c1',
  name: 'group',
  kind,
  url: 'https://oapi.dingtalk.com/robot/send?access_token=T',
  secret: '',
  language: 'zh',
  ...filter,
  min_severity: 'low',
  deleted: false,
  created_by: 'admin',
  created_at: '',
  updated_at: '',
  ...more,
});
const options = { publicUrl: 'https://sp.example.com/', timezone: 'Asia/Shanghai', dueHours: parseDueHours(''), attempts: 1, minTimeoutMs: 1 };

describe('channel filters', () => {
  it('takes a notice of its levels whose type, territory, category and severity it lists (empty = all)', () => {
    expect(channelTakes(filter, notice)).toBe(true);
    expect(channelTakes({ ...filter, levels: [1, 2] }, notice)).toBe(false);
    expect(channelTakes({ ...filter, levels: [1, 2] }, { ...notice, event: 'escalated', level: 1 })).toBe(true);
    expect(channelTakes({ ...filter, alert_types: ['zero_sale'] }, notice)).toBe(false);
    expect(channelTakes({ ...filter, territories: ['苏北'] }, notice)).toBe(false);
    expect(channelTakes({ ...filter, categories: ['饮料'] }, notice)).toBe(true);
    expect(channelTakes({ ...filter, min_severity: 'high' }, notice)).toBe(false);
    expect(channelTakes({ ...filter, min_severity: 'medium' }, notice)).toBe(true);
  });
});

describe('channel messages', () => {
  it('renders a markdown card in the channel language with the link back to the alert', () => {
    const link = alertLink('https://sp.example.com/', alert.id);
    expect(link).toBe(`https://sp.example.com/alerts?id=${encodeURIComponent(alert.id)}`);
    const zh = renderMessage(notice, { language: 'zh', link, dueAt: new Date('2026-11-21T02:00:00Z'), timezone: 'Asia/Shanghai' });
    expect(zh.title).toBe('竞品价差 · S1 · P1 (中)');
    expect(zh.markdown).toContain(alert.message_zh);
    expect(zh.markdown).toContain(`[查看预警](${link})`);
    expect(zh.markdown).toContain('负责人: wang.rep');
    const en = renderMessage({ ...notice, event: 'escalated', level: 2 }, { language: 'en', link, dueAt: new Date(), timezone: 'Asia/Shanghai' });
    expect(en.title).toBe('[Overdue, escalated to the sales director] Competitor price gap · S1 · P1 (medium)');
    expect(en.markdown).toContain(alert.suggestion_en);
  });

  it('keeps a WeCom card within 4,096 bytes, link included', () => {
    const long = { title: 't', markdown: `${'长'.repeat(3000)}\n\n[查看预警](https://sp.example.com/alerts?id=x)` };
    const body = wecomBody(long, 'https://sp.example.com/alerts?id=x', 'zh') as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(body.markdown.content.endsWith('[查看预警](https://sp.example.com/alerts?id=x)')).toBe(true);
  });

  it('signs DingTalk as documented: urlencode(base64(HmacSHA256(secret, timestamp\\nsecret)))', () => {
    const secret = 'SECabc';
    const expected = encodeURIComponent(createHmac('sha256', secret).update(`1700000000000\n${secret}`).digest('base64'));
    expect(dingtalkSign(secret, 1_700_000_000_000)).toBe(expected);
    const { url, init } = channelRequest(channel('dingtalk', { secret }), notice, options, 1_700_000_000_000);
    expect(url).toBe(`https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=${expected}`);
    expect(JSON.parse(init.body as string)).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.any(String), text: expect.any(String) } });
  });

  it('a test notice is for its channel only and says it is a test', () => {
    const test = testNotice('c1', new Date('2026-11-20T00:00:00Z'), '苏南');
    expect(test).toMatchObject({ event: 'test', channel_id: 'c1' });
    expect(channelTakes({ ...filter, levels: [2], alert_types: ['planogram'] }, test)).toBe(true);
  });
});
