import type { Alert, AlertView } from '../contracts/alerts.ts';
import type { Language } from '../contracts/enums.ts';

/** `message`/`suggestion` in the language asked for; without one, both as "中文 / English" so a plain reader sees both. */
export function presentAlert(alert: Alert, lang: Language | undefined): AlertView {
  const { message_zh, message_en, suggestion_zh, suggestion_en, ...rest } = alert;
  const pick = (zh: string, en: string) => (lang === 'zh' ? zh : lang === 'en' ? en : `${zh} / ${en}`);
  return {
    ...rest,
    message: pick(message_zh, message_en),
    suggestion: pick(suggestion_zh, suggestion_en),
    messages: { zh: message_zh, en: message_en },
    suggestions: { zh: suggestion_zh, en: suggestion_en },
  };
}

/** The language a reader asked for: an explicit choice, else the first tag of Accept-Language (zh*, en*), else none. */
export function preferredLanguage(explicit: string | undefined, acceptLanguage: string | undefined): Language | undefined {
  if (explicit === 'zh' || explicit === 'en') return explicit;
  const accept = acceptLanguage?.trim().toLowerCase() ?? '';
  if (accept.startsWith('zh')) return 'zh';
  if (accept.startsWith('en')) return 'en';
  return undefined;
}
