export type Lang = 'zh' | 'en';
const LANG_KEY = 'shelfpulse.lang';

function initialLang(): Lang {
  if (typeof localStorage !== 'undefined') {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  }
  if (typeof navigator !== 'undefined' && !navigator.language.toLowerCase().startsWith('zh')) return 'en';
  return 'zh';
}

/** The interface language: the browser's until the user picks one with the switch. */
export const i18n = $state<{ lang: Lang }>({ lang: initialLang() });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
}

const dictionary = {
  'nav.map': ['地图', 'Map'],
  'nav.alerts': ['预警', 'Alerts'],
  'nav.capture': ['拍照', 'Capture'],
  'nav.signout': ['退出', 'Sign out'],
  'login.title': ['登录 Shelfpulse', 'Sign in to Shelfpulse'],
  'login.hint': ['粘贴管理员发给您的访问令牌。', 'Paste the access token your administrator gave you.'],
  'login.token': ['访问令牌', 'Access token'],
  'login.submit': ['登录', 'Sign in'],
  'login.bad': ['令牌无效或已撤销，请向管理员索取新令牌。', 'This token is unknown or revoked; ask your administrator for a new one.'],
  'login.withPassword': ['账号密码', 'Password'],
  'login.withToken': ['访问令牌', 'Access token'],
  'login.username': ['用户名', 'User name'],
  'login.password': ['密码', 'Password'],
  'login.busy': ['正在登录…', 'Signing in…'],
  'login.badPassword': ['用户名或密码错误。', 'The user name or password is wrong.'],
  'login.disabled': ['此账号已停用，请联系管理员。', 'This account is disabled; ask your administrator.'],
  'login.tooMany': ['尝试次数过多，请一分钟后再试。', 'Too many attempts; try again in a minute.'],
  'nav.myStores': ['我的门店', 'My stores'],
  'common.loading': ['加载中…', 'Loading…'],
  'common.retry': ['重试', 'Retry'],
  'common.offline': ['无法连接服务器，请检查网络后重试。', 'Cannot reach the server; check the connection and retry.'],
  'common.missing': ['此功能的服务端接口尚未启用。', 'The server does not offer this yet.'],
  'common.forbidden': ['您的角色无权查看此页面。', 'Your role may not see this page.'],
  'common.none': ['暂无数据', 'No data yet'],
  'map.title': ['区域热力图', 'Territory heat map'],
  'map.metric': ['指标', 'Metric'],
  'map.period': ['时间段', 'Period'],
  'map.stores': ['门店', 'stores'],
  'map.dormant': ['沉睡客户', 'Dormant customers'],
  'map.dormantHint': ['90 天无订单，圆圈大小 = 历史毛利', 'No order in 90 days; circle size = historical margin'],
  'map.territories': ['区域', 'Territories'],
  'map.noStores': ['还没有门店。通过 POST /v1/stores 导入门店主数据。', 'No stores yet. Load store master data with POST /v1/stores.'],
  'map.noValue': ['无数据', 'no data'],
  'map.clickHint': ['点击门店查看详情', 'Click a store for details'],
  'metric.sales_vs_ly': ['销售额 同比', 'Sales vs last year'],
  'metric.sales_vs_prev': ['销售额 环比', 'Sales vs previous period'],
  'metric.sell_through': ['售罄率', 'Sell-through'],
  'metric.open_alerts': ['未处理预警', 'Open alerts'],
  'metric.share_of_shelf': ['货架占比', 'Share of shelf'],
  'period.28': ['近 28 天', 'Last 28 days'],
  'period.7': ['近 7 天', 'Last 7 days'],
  'period.91': ['近 13 周', 'Last 13 weeks'],
  'kpi.sales': ['销售额', 'Sales'],
  'kpi.vs_ly': ['同比', 'vs LY'],
  'kpi.vs_prev': ['环比', 'vs prev.'],
  'kpi.sell_through': ['售罄率', 'Sell-through'],
  'kpi.open_alerts': ['未处理预警', 'Open alerts'],
  'kpi.share_of_shelf': ['货架占比', 'Share of shelf'],
  'kpi.days_since_order': ['距上次订货', 'Since last order'],
  'kpi.margin': ['历史毛利', 'Historical margin'],
  'unit.days': ['天', 'days'],
  'alerts.title': ['预警收件箱', 'Alert inbox'],
  'alerts.type': ['类型', 'Type'],
  'alerts.category': ['品类', 'Category'],
  'alerts.territory': ['区域', 'Territory'],
  'alerts.status': ['状态', 'Status'],
  'alerts.all': ['全部', 'All'],
  'alerts.empty': ['没有符合条件的预警。', 'No alerts match these filters.'],
  'alerts.ack': ['确认', 'Acknowledge'],
  'alerts.resolve': ['解决', 'Resolve'],
  'alerts.assign': ['指派', 'Assign'],
  'alerts.assignee': ['负责人', 'Assignee'],
  'alerts.suggestion': ['建议', 'Suggestion'],
  'alerts.live': ['实时', 'Live'],
  'alerts.total': ['条', 'alerts'],
  'alerts.more': ['加载更多', 'Load more'],
  'alerts.thisYear': ['近 28 天', 'Last 28 days'],
  'alerts.lastYear': ['去年同期', 'Same days last year'],
  'alerts.units': ['销量（件）', 'Units sold'],
  'alerts.ownPrice': ['我方价格', 'Our price'],
  'alerts.competitorPrice': ['竞品价格', 'Competitor price'],
  'alerts.gap': ['价差', 'Gap'],
  'status.open': ['未处理', 'Open'],
  'status.acknowledged': ['已确认', 'Acknowledged'],
  'status.resolved': ['已解决', 'Resolved'],
  'type.zero_sale': ['零销售', 'Zero sales'],
  'type.out_of_stock': ['缺货', 'Out of stock'],
  'type.no_data': ['无数据', 'No data'],
  'type.price_gap': ['价差', 'Price gap'],
  'type.dormant_customer': ['沉睡客户', 'Dormant customer'],
  'type.shelf_gap': ['货架空位', 'Shelf gap'],
  'type.low_share_of_shelf': ['货架占比低', 'Low share of shelf'],
  'type.planogram': ['陈列不合规', 'Planogram'],
  'severity.high': ['高', 'High'],
  'severity.medium': ['中', 'Medium'],
  'severity.low': ['低', 'Low'],
  'store.kpis': ['关键指标', 'KPIs'],
  'store.salesTrend': ['分品类销售趋势', 'Sales by category'],
  'store.openAlerts': ['未处理预警', 'Open alerts'],
  'store.photos': ['最新货架照片', 'Latest shelf photos'],
  'store.sosTrend': ['货架占比趋势', 'Share of shelf trend'],
  'store.competitorPrices': ['竞品价格', 'Competitor prices'],
  'store.notFound': ['找不到这家门店。', 'This store does not exist.'],
  'store.back': ['返回地图', 'Back to the map'],
  'capture.title': ['货架拍照', 'Shelf capture'],
  'capture.store': ['门店', 'Store'],
  'capture.nearest': ['按距离排序', 'Nearest first'],
  'capture.locating': ['正在定位…', 'Locating…'],
  'capture.noLocation': ['未获得定位，按名称排序', 'No location; sorted by name'],
  'capture.take': ['拍照或选择照片', 'Take or choose photos'],
  'capture.upload': ['上传', 'Upload'],
  'capture.uploading': ['上传中', 'Uploading'],
  'capture.analyzing': ['正在分析…', 'Analyzing…'],
  'capture.retake': ['请重拍', 'Please retake'],
  'capture.ok': ['已分析', 'Analyzed'],
  'capture.facings': ['个排面', 'facings'],
  'capture.gaps': ['处空位', 'gaps'],
  'capture.prices': ['个价签', 'price tags'],
  'capture.pickStore': ['请先选择门店。', 'Pick the store first.'],
} as const;

export type MessageKey = keyof typeof dictionary;

export function t(key: MessageKey): string {
  return dictionary[key][i18n.lang === 'zh' ? 0 : 1];
}
