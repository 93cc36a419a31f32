import { MAX_CHANGES, diff } from './diff';

describe('audit diff', () => {
  it('should list changed, added and removed leaves by JSON pointer, and nothing for equal snapshots', () => {
    const before = { name: 'Network', groups: ['net'], rule: { queue: 'a/b', on: true } };
    const after = { name: 'Networks', groups: ['net', 'ops'], rule: { queue: 'a/b' }, description: 'LAN' };
    expect(diff(before, after)).toEqual([
      { path: '/description', before: null, after: 'LAN' },
      { path: '/groups/1', before: null, after: 'ops' },
      { path: '/name', before: 'Network', after: 'Networks' },
      { path: '/rule/on', before: true, after: null },
    ]);
    expect(diff(before, structuredClone(before))).toEqual([]);
  });

  it('should show a creation and a deletion as one change each when a side is missing', () => {
    expect(diff(null, { key: 'q' })).toEqual([{ path: '/', before: null, after: { key: 'q' } }]);
    expect(diff({ key: 'q' }, null)).toEqual([{ path: '/', before: { key: 'q' }, after: null }]);
  });

  it('should cap a huge rewrite and say how many changes were left out', () => {
    const big = (v: number) => Object.fromEntries(Array.from({ length: MAX_CHANGES + 5 }, (_, i) => [`k${String(i).padStart(3, '0')}`, v]));
    const changes = diff(big(1), big(2));
    expect(changes).toHaveLength(MAX_CHANGES + 1);
    expect(changes.at(-1)).toEqual({ path: '…', before: null, after: '5 more change(s)' });
  });

  it('should escape keys holding a slash or a tilde', () => {
    expect(diff({ 'a/b~c': 1 }, { 'a/b~c': 2 })).toEqual([{ path: '/a~1b~0c', before: 1, after: 2 }]);
  });
});
