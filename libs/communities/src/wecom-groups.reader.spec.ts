import { toSnapshot } from './wecom-groups.reader';

describe('groupchat/get as a snapshot', () => {
  it('tells staff (type 1) from customers (type 2), keeps staff names only, and reads the times', () => {
    const snap = toSnapshot(
      {
        chat_id: 'wr1',
        name: '茶友群',
        owner: 'zhang',
        create_time: 1_700_000_000,
        notice: '',
        member_list: [
          { userid: 'zhang', type: 1, join_time: 1_700_000_000, join_scene: 1, name: '张三' },
          {
            userid: 'wmX',
            type: 2,
            join_time: 1_700_000_100,
            join_scene: 3,
            invitor: { userid: 'zhang' },
            name: '客户',
            unionid: 'un1',
          },
        ],
        admin_list: [{ userid: 'li' }],
      },
      1,
    );
    expect(snap).toEqual({
      chatId: 'wr1',
      name: '茶友群',
      owner: 'zhang',
      notice: null,
      createdAt: new Date(1_700_000_000_000),
      memberVersion: null,
      wecomStatus: 1,
      admins: ['li'],
      members: [
        {
          userid: 'zhang',
          type: 'staff',
          joinedAt: new Date(1_700_000_000_000),
          joinScene: 1,
          invitor: null,
          name: '张三',
          unionid: null,
        },
        {
          userid: 'wmX',
          type: 'external',
          joinedAt: new Date(1_700_000_100_000),
          joinScene: 3,
          invitor: 'zhang',
          name: null,
          unionid: 'un1',
        },
      ],
    });
  });

  it('keeps member_version when WeCom gives it and leaves wecomStatus out when not listed', () => {
    const snap = toSnapshot({
      chat_id: 'wr2',
      name: '',
      owner: 'o',
      create_time: 0,
      member_list: [],
      member_version: 'abc',
    } as never);
    expect(snap.memberVersion).toBe('abc');
    expect(snap.createdAt).toBeNull();
    expect('wecomStatus' in snap).toBe(false);
  });
});
