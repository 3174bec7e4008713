import { createHmac } from 'node:crypto';
import { presentAlert } from '../../analytics/alerts-read.ts';
import type { Alert } from '../../contracts/alerts.ts';
import { SEVERITIES, type AlertType, type Language, type Severity } from '../../contracts/enums.ts';
import type { ChannelFilter } from '../../contracts/workflow.ts';

/**
 * What a channel is told: a new alert (level 0), an overdue alert escalated to a level, or an admin's test. It
 * travels on `channel-notices`; `channel_id` set sends it to that channel only (a test, a dead letter replayed).
 */
export interface ChannelNotice {
  notice_id: string;
  event: 'opened' | 'escalated' | 'test';
  alert: Alert;
  level: number;
  /** Who must act: the owners of a new alert, the lead or director of an escalation (user names). */
  recipients: string[];
  channel_id?: string;
}

/** A channel's filter as stored (the lists loosely typed). */
export type ChannelTaking = { [K in keyof ChannelFilter]: ChannelFilter[K] extends readonly unknown[] ? readonly (string | number)[] : string };

/** Whether a channel takes a notice: its levels, then its filter (each empty list = all). */
export function channelTakes(filter: ChannelTaking, notice: Pick<ChannelNotice, 'alert' | 'level' | 'event'>): boolean {
  if (notice.event === 'test') return true;
  const { alert } = notice;
  return (
    filter.levels.includes(notice.level) &&
    (filter.alert_types.length === 0 || filter.alert_types.includes(alert.type)) &&
    (filter.territories.length === 0 || filter.territories.includes(alert.territory)) &&
    (filter.categories.length === 0 || filter.categories.includes(alert.category)) &&
    SEVERITIES.indexOf(alert.severity) >= SEVERITIES.indexOf(filter.min_severity as Severity)
  );
}

export const TYPE_NAMES: Record<AlertType, Record<Language, string>> = {
  zero_sale: { zh: '零销量', en: 'Zero sales' },
  out_of_stock: { zh: '缺货', en: 'Out of stock' },
  no_data: { zh: '无收银数据', en: 'No POS data' },
  price_gap: { zh: '竞品价差', en: 'Competitor price gap' },
  dormant_customer: { zh: '沉睡客户', en: 'Dormant customer' },
  shelf_gap: { zh: '货架缺位', en: 'Shelf gap' },
  low_share_of_shelf: { zh: '货架占有率低', en: 'Low share of shelf' },
  planogram: { zh: '陈列不符', en: 'Planogram' },
};
export const SEVERITY_NAMES: Record<string, Record<Language, string>> = {
  low: { zh: '低', en: 'low' },
  medium: { zh: '中', en: 'medium' },
  high: { zh: '高', en: 'high' },
};
const LEVEL_NAMES: Record<Language, string[]> = { zh: ['负责人', '区域负责人', '销售总监'], en: ['owner', 'territory lead', 'sales director'] };
const WORDS = {
  zh: { overdue: '逾期升级至', test: '测试消息', suggestion: '建议', where: '区域', category: '品类', owner: '负责人', due: '截止', open: '查看预警' },
  en: {
    overdue: 'Overdue, escalated to the',
    test: 'Test message',
    suggestion: 'Suggestion',
    where: 'Territory',
    category: 'Category',
    owner: 'Owner',
    due: 'Due',
    open: 'Open the alert',
  },
} as const;

export interface RenderOptions {
  language: Language;
  /** Where the alert opens in the web app (the public base URL + /alerts?id=). */
  link: string;
  /** The due time, shown in `timezone`. */
  dueAt: Date;
  timezone: string;
}

/** The link back to an alert in the web app. */
export function alertLink(publicUrl: string, alertId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts?id=${encodeURIComponent(alertId)}`;
}

function localTime(at: Date, language: Language, timezone: string): string {
  return new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: timezone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** A markdown card both robots read: a title line, the message, the suggestion, the facts, the link back. */
export function renderMessage(notice: ChannelNotice, o: RenderOptions): { title: string; markdown: string } {
  const w = WORDS[o.language];
  const { alert } = notice;
  const view = presentAlert(alert, o.language);
  const kind = TYPE_NAMES[alert.type][o.language];
  const severity = SEVERITY_NAMES[alert.severity]?.[o.language] ?? alert.severity;
  const prefix =
    notice.event === 'test' ? `[${w.test}] ` : notice.event === 'escalated' ? `[${w.overdue} ${LEVEL_NAMES[o.language][notice.level] ?? notice.level}] ` : '';
  const title = `${prefix}${kind} · ${alert.store_id}${alert.sku ? ` · ${alert.sku}` : ''} (${severity})`;
  const facts = [
    `${w.where}: ${alert.territory}`,
    alert.category ? `${w.category}: ${alert.category}` : '',
    `${w.owner}: ${notice.recipients.length > 0 ? notice.recipients.join(', ') : alert.assignee || '—'}`,
    `${w.due}: ${localTime(o.dueAt, o.language, o.timezone)}`,
  ].filter(Boolean);
  const markdown = [`### ${title}`, view.message, `> ${w.suggestion}: ${view.suggestion}`, facts.join('  \n'), `[${w.open}](${o.link})`].join('\n\n');
  return { title, markdown };
}

/** WeCom's group robots take at most 4,096 bytes of markdown: a longer card is cut, keeping the link at its end. */
const WECOM_MAX_BYTES = 4096;

function fitBytes(text: string, max: number, tail: string): string {
  if (Buffer.byteLength(text) <= max) return text;
  let body = text.slice(0, text.length - tail.length);
  while (Buffer.byteLength(`${body}…\n\n${tail}`) > max) body = body.slice(0, Math.floor(body.length * 0.9));
  return `${body}…\n\n${tail}`;
}

/** The body of a WeCom (企业微信) group robot message: msgtype markdown, markdown.content. */
export function wecomBody(message: { markdown: string }, link: string, language: Language, linkText: string = WORDS[language].open): object {
  const tail = `[${linkText}](${link})`;
  return { msgtype: 'markdown', markdown: { content: fitBytes(message.markdown, WECOM_MAX_BYTES, tail) } };
}

/** The body of a DingTalk (钉钉) group robot message: msgtype markdown with its title (the notification line) and text. */
export function dingtalkBody(message: { title: string; markdown: string }): object {
  return { msgtype: 'markdown', markdown: { title: message.title, text: message.markdown } };
}

/**
 * DingTalk's signing: sign = urlencode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret))), with the
 * timestamp in milliseconds; both go on the robot's URL. DingTalk refuses a timestamp over an hour off.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));
}

export function signedDingtalkUrl(url: string, secret: string, timestampMs: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${dingtalkSign(secret, timestampMs)}`;
}

/** The signed webhook's body: the alert as GET /v1/alerts/:id answers it (both languages), with the event and link. */
export function webhookBody(notice: ChannelNotice, link: string): object {
  return {
    ...presentAlert(notice.alert, undefined),
    event: notice.event,
    escalation: notice.event === 'escalated' ? { level: notice.level, to: notice.recipients } : null,
    link,
  };
}

/** The notice of "send a test message": a made-up alert that says it is a test, for this channel only. */
export function testNotice(channelId: string, now: Date, territory: string): ChannelNotice {
  const at = now.toISOString();
  return {
    notice_id: `test:${channelId}:${now.getTime()}`,
    event: 'test',
    channel_id: channelId,
    level: 0,
    recipients: [],
    alert: {
      id: `test:${channelId}`,
      type: 'zero_sale',
      status: 'open',
      store_id: 'TEST',
      sku: '',
      territory,
      category: '',
      created_at: at,
      updated_at: at,
      as_of: at.slice(0, 10),
      severity: 'low',
      evidence: {},
      assignee: '',
      resolved_at: null,
      message_zh: '这是一条来自 Shelfpulse 的测试消息：本频道已可接收预警。',
      message_en: 'This is a test message from Shelfpulse: this channel can receive alerts.',
      suggestion_zh: '无需处理。',
      suggestion_en: 'Nothing to do.',
    },
  };
}
