import type { StoredChannel } from '../../analytics/channels.ts';
import type { CategoryDigest } from '../../analytics/kpi/category-digest.ts';
import type { AlertView } from '../../contracts/alerts.ts';
import type { Digest } from '../../contracts/dashboard.ts';
import type { DigestRole, Language } from '../../contracts/enums.ts';
import { signature } from '../workers/notifier.ts';
import { alertLink, dingtalkBody, SEVERITY_NAMES, signedDingtalkUrl, TYPE_NAMES, wecomBody } from './messages.ts';
import type { ChannelRequest } from './delivery.ts';

/** What one channel's digest of one day says: the sales digest of a director or lead, or a category manager's alerts. */
export type DigestContent = { role: 'director' | 'territory_lead'; digest: Digest } | { role: 'category_manager'; digest: CategoryDigest };

export interface DigestMessageOptions {
  language: Language;
  /** The local day it is the digest of (the platform zone). */
  day: string;
  publicUrl: string;
  /** Set by "send digest now": the title says it is a test and nothing is recorded. */
  test?: boolean;
}

const ROLE_NAMES: Record<DigestRole, Record<Language, string>> = {
  director: { zh: '销售总监', en: 'sales director' },
  territory_lead: { zh: '区域负责人', en: 'territory lead' },
  category_manager: { zh: '品类经理', en: 'category manager' },
};
const WORDS = {
  zh: {
    digest: '晨报',
    test: '测试',
    period: '近 7 天',
    sales: '销售额',
    vsLy: '同比',
    territories: '区域',
    down: '下滑最多的门店',
    outages: '收银数据中断（下滑为缺数据）',
    act: '优先处理',
    dormant: '沉睡客户门店',
    openAlerts: '未处理预警',
    categories: '品类',
    all: '全部',
    fresh: '新预警（近 24 小时）',
    overdue: '已逾期',
    none: '无',
    more: '另有 {n} 条',
    open: '查看晨报',
  },
  en: {
    digest: 'Morning digest',
    test: 'Test',
    period: 'Last 7 days',
    sales: 'sales',
    vsLy: 'vs last year',
    territories: 'Territories',
    down: 'Biggest falls',
    outages: 'Till feed stopped (the fall is missing data)',
    act: 'Act first',
    dormant: 'dormant customers',
    openAlerts: 'open alerts',
    categories: 'Categories',
    all: 'all',
    fresh: 'New alerts (last 24 hours)',
    overdue: 'Overdue',
    none: 'none',
    more: '{n} more',
    open: 'Open the digest',
  },
} as const;

/** The link to the web app's digest page. */
export function digestLink(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/digest`;
}

const money = (n: number) => `¥${Math.round(n).toLocaleString('en-US')}`;
const change = (ratio: number | null) => (ratio === null ? '—' : `${ratio >= 0 ? '+' : '−'}${Math.abs(ratio * 100).toFixed(1)}%`);

function alertLine(a: AlertView, language: Language, publicUrl: string): string {
  const where = `${a.store_id}${a.sku ? ` · ${a.sku}` : ''}`;
  return `- [${SEVERITY_NAMES[a.severity]?.[language] ?? a.severity}] ${TYPE_NAMES[a.type][language]} · ${where}: [${a.message}](${alertLink(publicUrl, a.id)})`;
}

function salesLines(d: Digest, w: (typeof WORDS)[Language], language: Language, publicUrl: string): string[] {
  return [
    `**${w.period}** (${d.from} – ${d.to}): ${w.sales} ${money(d.chain.sales)}, ${w.vsLy} ${change(d.chain.vs_ly)} · ${d.open_alerts} ${w.openAlerts} · ${d.dormant_customers} ${w.dormant}`,
    `**${w.territories}**\n${d.territories.map((t) => `- ${t.territory}: ${money(t.sales)}, ${change(t.vs_ly)}, ${t.open_alerts_total} ${w.openAlerts}`).join('\n') || w.none}`,
    `**${w.down}**\n${d.stores_down.map((s) => `- ${s.name} (${s.store_id}, ${s.territory}): ${change(s.vs_ly)}`).join('\n') || w.none}`,
    ...(d.feed_outages.length > 0 ? [`**${w.outages}**\n${d.feed_outages.map((s) => `- ${s.name} (${s.store_id})`).join('\n')}`] : []),
    `**${w.act}**\n${d.alerts.map((a) => alertLine(a, language, publicUrl)).join('\n') || w.none}`,
  ];
}

function alertList(title: string, alerts: readonly AlertView[], total: number, w: (typeof WORDS)[Language], language: Language, publicUrl: string): string {
  const lines = alerts.map((a) => alertLine(a, language, publicUrl));
  if (total > alerts.length) lines.push(`- ${w.more.replace('{n}', String(total - alerts.length))}`);
  return `**${title} (${total})**\n${lines.join('\n') || w.none}`;
}

/** The digest as a markdown card both robots read: a title line, the lists, the link to the web digest page. */
export function renderDigest(content: DigestContent, o: DigestMessageOptions): { title: string; markdown: string; link: string; linkText: string } {
  const w = WORDS[o.language];
  const link = digestLink(o.publicUrl);
  const title = `${o.test ? `[${w.test}] ` : ''}${w.digest} · ${o.day} · ${ROLE_NAMES[content.role][o.language]}`;
  const body =
    content.role === 'category_manager'
      ? [
          `**${w.categories}**: ${content.digest.categories.join(', ') || w.all}`,
          alertList(w.fresh, content.digest.new_alerts, content.digest.new_total, w, o.language, o.publicUrl),
          alertList(w.overdue, content.digest.overdue_alerts, content.digest.overdue_total, w, o.language, o.publicUrl),
        ]
      : salesLines(content.digest, w, o.language, o.publicUrl);
  const markdown = [`### ${title}`, ...body, `[${w.open}](${link})`].join('\n\n');
  return { title, markdown, link, linkText: w.open };
}

/** The request that carries a digest to a channel, in its platform's format (signed where the platform signs). */
export function digestRequest(channel: StoredChannel, content: DigestContent, o: DigestMessageOptions): ChannelRequest {
  const message = renderDigest(content, o);
  const json = (body: object, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (channel.kind === 'webhook') {
    const body = JSON.stringify({
      event: 'digest',
      role: content.role,
      day: o.day,
      test: o.test ?? false,
      title: message.title,
      link: message.link,
      digest: content.digest,
    });
    const headers = {
      'x-shelfpulse-signature': signature(body, channel.secret),
      'x-shelfpulse-delivery': `digest:${channel.channel_id}:${o.day}`,
      'x-shelfpulse-event': 'digest',
    };
    return () => ({ url: channel.url, init: { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body } });
  }
  if (channel.kind === 'wecom') return () => ({ url: channel.url, init: json(wecomBody(message, message.link, o.language, message.linkText)) });
  return (nowMs) => ({ url: channel.secret ? signedDingtalkUrl(channel.url, channel.secret, nowMs) : channel.url, init: json(dingtalkBody(message)) });
}
