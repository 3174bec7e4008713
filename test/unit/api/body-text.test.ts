import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bodyText, charsetOf, utf8Damage, westernShare } from '../../../api/body-text.ts';

const TEXT = 'store_id,name\r\nSH001,上海南京路店\r\n';

describe('bodyText', () => {
  it('reads UTF-8, with or without a byte-order mark (which wins over a charset)', () => {
    expect(bodyText(Buffer.from(TEXT), undefined)).toBe(TEXT);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]);
    expect(bodyText(bom, 'text/csv')).toBe(TEXT);
    expect(bodyText(bom, 'text/csv; charset=gbk')).toBe(TEXT);
  });

  it('reads GBK told from the bytes or named by any of its labels, GB18030 beyond GBK too', () => {
    expect(bodyText(iconv.encode(TEXT, 'gbk'), 'text/csv')).toBe(TEXT);
    for (const label of ['gbk', 'GB2312', '"gb18030"', 'x-gbk', 'cp936']) {
      expect(bodyText(iconv.encode(TEXT, 'gbk'), `text/csv; charset=${label}`)).toBe(TEXT);
    }
    const beyondGbk = '𠮷野家,€';
    expect(bodyText(iconv.encode(beyondGbk, 'gb18030'), undefined)).toBe(beyondGbk);
  });

  it('refuses bytes that are neither, a label it does not take, and a label the bytes contradict, saying what to save as', () => {
    const latin1 = Buffer.from('FR1,Café,Lille\n', 'latin1');
    const refusals = [
      () => bodyText(latin1, 'text/csv'),
      () => bodyText(Buffer.from('FR1,Café', 'latin1'), 'text/csv'),
      () => bodyText(Buffer.from('CH1,Zürich,Genève,Sankt Gallen\n', 'latin1'), 'text/csv'),
      () => bodyText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b', 'utf16le')]), 'text/csv'),
      () => bodyText(Buffer.from(TEXT), 'text/csv; charset=windows-1252'),
      () => bodyText(iconv.encode(TEXT, 'gbk'), 'text/csv; charset=utf-8'),
      () => bodyText(Buffer.from([0x41, 0xff, 0x42]), 'text/csv; charset=gbk'),
    ];
    for (const refusal of refusals) {
      expect(refusal).toThrow(expect.objectContaining({ statusCode: 415, code: 'unsupported_encoding', message: expect.stringMatching(/UTF-8.*GBK/) }));
    }
  });

  it('refuses UTF-8 with a stray byte rather than reading it all as GB18030, naming the line', () => {
    const damaged = Buffer.concat([Buffer.from('store_id,name\nSH001,上海南京路店\nFR1,Caf'), Buffer.from([0xe9]), Buffer.from('s Lyon\n')]);
    expect(() => bodyText(damaged, 'text/csv')).toThrow(expect.objectContaining({ statusCode: 415, message: expect.stringMatching(/^line 3 is not UTF-8/) }));
  });

  it('measures how much of a body is outside UTF-8 sequences', () => {
    expect(utf8Damage(Buffer.from(TEXT)).share).toBe(0);
    expect(utf8Damage(iconv.encode(TEXT, 'gbk')).share).toBeGreaterThan(0.3);
  });

  it('tells Latin-1 from GBK by the second bytes of the pairs', () => {
    expect(westernShare(iconv.encode(`${TEXT}陈喆,镕`, 'gbk'))).toBeLessThan(0.5);
    expect(westernShare(Buffer.from('Zürich,Genève', 'latin1'))).toBe(1);
  });

  it('finds the charset among other parameters', () => {
    expect(charsetOf('text/csv; header=present; charset="GBK"')).toBe('gbk');
    expect(charsetOf('text/csv')).toBeUndefined();
  });
});
