import { afterEach, describe, expect, it } from 'vitest';
import { change, count, money, percent } from '../../../../web/src/lib/format.ts';
import { i18n } from '../../../../web/src/lib/i18n.svelte.ts';

describe('numbers on the page', () => {
  const lang = i18n.lang;
  afterEach(() => {
    i18n.lang = lang;
  });

  it('writes yuan with cents below ¥1,000 and whole yuan above', () => {
    i18n.lang = 'en';
    expect(money(12.5)).toBe('CN¥12.50');
    expect(money(1234.56)).toBe('CN¥1,235');
    i18n.lang = 'zh';
    expect(money(12.5)).toBe('¥12.50');
  });

  it('signs a change, leaves zero unsigned and rounds to a tenth of a percent', () => {
    i18n.lang = 'en';
    expect(change(0.052)).toBe('+5.2%');
    expect(change(-0.1234)).toBe('-12.3%');
    expect(change(0)).toBe('0%');
    expect(percent(0.375)).toBe('37.5%');
    expect(count(12345)).toBe('12,345');
  });

  it('shows a dash where there is no value, not 0', () => {
    for (const format of [money, change, percent, count]) {
      expect(format(null)).toBe('—');
      expect(format(undefined)).toBe('—');
    }
  });
});
