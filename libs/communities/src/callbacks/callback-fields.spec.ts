import { eventTime, int, memChangeList, text } from './callback-fields';

describe('WeCom callback fields', () => {
  it('reads MemChangeList as <Item>s, a single <Item>, or the older comma-separated text', () => {
    expect(memChangeList({ Item: ['wmA', 'wmB', 'wmA'] })).toEqual(['wmA', 'wmB']);
    expect(memChangeList({ Item: 'wmA' })).toEqual(['wmA']);
    expect(memChangeList('wmA, wmB')).toEqual(['wmA', 'wmB']);
    expect(memChangeList(['wmA'])).toEqual(['wmA']);
  });

  it('gives null for a missing, empty or unreadable list', () => {
    expect(memChangeList(undefined)).toBeNull();
    expect(memChangeList('')).toBeNull();
    expect(memChangeList({ Item: [] })).toBeNull();
    expect(memChangeList({ Other: 'x' })).toBeNull();
    expect(memChangeList({ Item: ['x'.repeat(65)] })).toBeNull();
  });

  it('reads integers and text the XML keeps as strings', () => {
    expect(int('3')).toBe(3);
    expect(int(' 0 ')).toBe(0);
    expect(int('3a')).toBeNull();
    expect(int(undefined)).toBeNull();
    expect(text('  x ')).toBe('x');
    expect(text('   ')).toBeNull();
    expect(text(12)).toBe('12');
  });

  it("takes the event's time from CreateTime, else from when it was received", () => {
    const receivedAt = new Date('2025-06-18T12:00:00Z');
    const base = { id: '1', brandId: 'b', event: 'change_external_chat', changeType: 'update', receivedAt };
    expect(eventTime({ ...base, fields: { CreateTime: '1750000000' } })).toEqual(new Date(1_750_000_000_000));
    expect(eventTime({ ...base, fields: {} })).toEqual(receivedAt);
    expect(eventTime({ ...base, fields: { CreateTime: 'soon' } })).toEqual(receivedAt);
  });
});
