import { SimClock } from '../common/sim-clock';
import type { SimConfig } from '../config/sim-config';
import { SimConfigService } from '../config/sim-config.service';
import { contentKey, MessageLogService } from './message-log.service';

function setup(config: Partial<SimConfig> = {}) {
  const cfg = new SimConfigService();
  cfg.setInitial(config);
  return new MessageLogService(new SimClock(), cfg);
}

const send = (log: MessageLogService, to: string, content: string, msgid = 1) =>
  log.record(to, { api: 'message/template/send', msgid, key: contentKey(content), payload: { content } });

describe('MessageLogService', () => {
  it('counts a recipient that got the same logical message twice as one duplicate recipient', () => {
    const log = setup();
    send(log, 'o1', 'A');
    send(log, 'o1', 'B');
    send(log, 'o2', 'A');
    expect(log.totals().duplicates).toMatchObject({ recipients: 0, pairs: 0, extraDeliveries: 0 });
    send(log, 'o1', 'A');
    send(log, 'o1', 'A');
    send(log, 'o1', 'B');
    expect(log.totals().duplicates).toMatchObject({ recipients: 1, pairs: 2, extraDeliveries: 3 });
    expect(log.totals()).toMatchObject({ total: 6, recipients: 2, byApi: { 'message/template/send': 6 } });
    const view = log.recipient('o1');
    expect(view.total).toBe(5);
    expect(Object.values(view.keys).sort()).toEqual([2, 3]);
    expect(view.messages.map((m) => m.seq)).toEqual([1, 2, 4, 5, 6]);
  });

  it('keys by a body path when configured, falling back to the content hash', () => {
    const log = setup({ dedupeKeyPath: 'data.delivery.value' });
    const body = (id: string, greeting: string) => ({
      data: { delivery: { value: id }, first: { value: greeting } },
    });
    const key = (b: unknown) => log.keyFor(b, () => JSON.stringify(b));
    log.record('o1', { api: 'x', msgid: 1, key: key(body('d-1', 'Hi')) });
    log.record('o1', { api: 'x', msgid: 2, key: key(body('d-1', 'Hello again')) });
    expect(log.totals().duplicates).toMatchObject({ recipients: 1, keyedBy: 'data.delivery.value' });
    expect(log.recipient('o1').keys).toEqual({ 'd-1': 2 });
    expect(key({ other: 1 })).toBe(contentKey(JSON.stringify({ other: 1 })));
  });

  it('keeps payloads for each recipient’s last N messages and at most the global cap', () => {
    const log = setup({ keepPayloadsPerRecipient: 2, maxStoredPayloads: 3 });
    for (let i = 1; i <= 4; i++) send(log, 'o1', `m${i}`, i);
    expect(log.recipient('o1').messages.map((m) => m.payload !== undefined)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    send(log, 'o2', 'x');
    send(log, 'o3', 'y');
    expect(log.totals().storedPayloads).toBe(3);
    expect(log.recipient('o1').messages.filter((m) => m.payload).length).toBe(1);
    expect(log.recipient('o1').total).toBe(4);
  });

  it('holds a million recipients in compact columns', () => {
    const log = setup({ maxStoredPayloads: 0 });
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++)
      log.record(`o${i}`, { api: 'message/template/send', msgid: i, key: i });
    expect(log.totals().recipients).toBe(1_000_000);
    expect(log.recipient('o999999').messages[0].msgid).toBe(999_999);
    // Recipient names and map entries dominate; the columns add ~60 bytes a message.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(400 * 1024 * 1024);
  });
});
