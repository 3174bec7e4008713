import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ProductRecord, StoreRecord } from '../../../contracts/records.ts';
import { feedRecord, recordCheck } from '../../../pipelines/validate.ts';

const store = { store_id: 'S1', name: '上海南京路店', territory: '浦西', region: '华东', city: '上海', lat: 31.2, lon: 121.5 };

describe('feedRecord', () => {
  it('drops null from optional fields only, so the check sees them absent', () => {
    const read = feedRecord(ProductRecord);
    const product = { sku: 'P1', name: '清泉', brand: '清泉', category: '饮料', regular_price: 2.5, is_competitor: false };
    const read1 = read({ ...product, matches_sku: null, aliases: null });
    expect(read1).toEqual({ value: product, ignored: [], changed: true });
    expect(recordCheck(ProductRecord)(read1.value).ok).toBe(true);
    expect(read({ ...product, name: null }).value).toEqual({ ...product, name: null });
  });

  it('keeps null where the field takes null', () => {
    const schema = Type.Object({ lat: Type.Optional(Type.Union([Type.Number(), Type.Null()])) }, { additionalProperties: false });
    expect(feedRecord(schema)({ lat: null })).toEqual({ value: { lat: null }, ignored: [], changed: false });
  });

  it('drops and names fields the record has not, __proto__ included, without touching any prototype', () => {
    const value = JSON.parse(`{"store_id":"S1","extra":1,"__proto__":{"polluted":true}}`);
    const { value: kept, ignored } = feedRecord(StoreRecord)({ ...store, ...value });
    expect(ignored).toEqual(['extra', '__proto__']);
    expect(kept).toEqual(store);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hands a record it need not change, or a value that is no record, back as it is', () => {
    const read = feedRecord(StoreRecord);
    expect(read(store)).toEqual({ value: store, ignored: [], changed: false });
    expect(read(store).value).toBe(store);
    expect(read([1])).toEqual({ value: [1], ignored: [], changed: false });
    expect(read(null)).toEqual({ value: null, ignored: [], changed: false });
  });
});
