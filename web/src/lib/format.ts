import { i18n } from './i18n.svelte';

const locale = () => (i18n.lang === 'zh' ? 'zh-CN' : 'en-GB');

export function money(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY', maximumFractionDigits: value >= 1000 ? 0 : 2 }).format(value);
}

/** A change as a signed percentage: 0.052 → +5.2%. */
export function change(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const text = new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(value);
  return text;
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale()).format(value);
}

export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
