import { describe, expect, it } from 'vitest';
import { closeScopes, inScope } from '../../../../analytics/alerts/scope.ts';

describe('close scopes', () => {
  it('one close per time zone in use, the platform zone for every store that names no other', () => {
    expect(closeScopes(new Map(), 'Asia/Shanghai')).toEqual([{ timezone: 'Asia/Shanghai' }]);
    expect(closeScopes(new Map([['S1', 'Asia/Shanghai']]), 'Asia/Shanghai')).toEqual([{ timezone: 'Asia/Shanghai' }]);
    const scopes = closeScopes(
      new Map([
        ['T1', 'Asia/Tokyo'],
        ['U1', 'Asia/Urumqi'],
        ['T2', 'Asia/Tokyo'],
      ]),
      'Asia/Shanghai',
    );
    // The platform zone's close covers every store the other zones do not claim (S1, a store not registered yet).
    expect(scopes).toEqual([
      { timezone: 'Asia/Shanghai', except: ['T1', 'T2', 'U1'] },
      { timezone: 'Asia/Tokyo', stores: ['T1', 'T2'] },
      { timezone: 'Asia/Urumqi', stores: ['U1'] },
    ]);
    const [shanghai, tokyo] = scopes.map(inScope);
    expect(['S1', 'T1', 'U1', 'NEW'].filter(shanghai!)).toEqual(['S1', 'NEW']);
    expect(['S1', 'T1', 'T2', 'U1'].filter(tokyo!)).toEqual(['T1', 'T2']);
  });
});
