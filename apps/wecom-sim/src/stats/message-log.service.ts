import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SimClock } from '../common/sim-clock';
import { SimConfigService } from '../config/sim-config.service';
import { ensureSize } from './columns';

/** Where a recorded message's delivery status lives (a group-send task resolves it later). */
export interface StatusSource {
  statusAt(index: number): number;
  sendTimeAt(index: number): number | undefined;
}

export interface MessageRecord {
  /** The API that carried it, e.g. `message/template/send`. */
  api: string;
  msgid: string | number;
  /** The logical message key duplicates are counted by (see `keyFor`). */
  key: number;
  /** The message as sent. A request's raw JSON text is the compact choice (parsed when viewed). */
  payload?: unknown;
  /** True when `payload` is JSON text to parse for display. */
  payloadIsJson?: boolean;
  source?: StatusSource;
  index?: number;
}

export interface RecipientMessageView {
  seq: number;
  api: string;
  msgid: string | number;
  key: string;
  at: string;
  status?: number;
  send_time?: number;
  payload?: unknown;
}

export interface RecipientView {
  recipient: string;
  total: number;
  /** Logical key → how many times this recipient got it; more than 1 is a duplicate. */
  keys: Record<string, number>;
  /** The most recent messages (up to `limit`), oldest first. */
  messages: RecipientMessageView[];
}

export interface MessageTotals {
  total: number;
  recipients: number;
  byApi: Record<string, number>;
  storedPayloads: number;
  duplicates: {
    /** Recipients that got at least one logical message more than once. */
    recipients: number;
    /** (recipient, key) pairs seen more than once. */
    pairs: number;
    /** Sends beyond the first of each (recipient, key). */
    extraDeliveries: number;
    keyedBy: string;
  };
}

/** A 48-bit hash (exact in a double) of a logical message key or of a message's content. */
export function contentKey(content: string): number {
  return createHash('md5').update(content).digest().readUIntBE(0, 6);
}

export function valueAtPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A payload kept as the request's JSON text: a few hundred bytes instead of an object graph. */
class JsonText {
  constructor(readonly text: string) {}
}

const keyHex = (key: number) => key.toString(16).padStart(12, '0');

/**
 * Records every message the simulator delivered, per recipient (openid, external_userid, chat_id
 * or staff userid), in order, and counts duplicates: one recipient getting the same logical
 * message more than once. Built for a benchmark's million sends: metadata lives in typed-array
 * columns (about 50 bytes a message plus the recipient's map entry), each recipient's messages
 * form a linked list through `prev`, and payloads are kept only for each recipient's last few
 * messages, up to a global cap (oldest dropped first).
 */
@Injectable()
export class MessageLogService {
  // Recipients: name → row; per-row counters.
  private rows = new Map<string, number>();
  private rCount = new Uint32Array(0);
  private rLast = new Int32Array(0);
  private rFirstKey = new Float64Array(0);
  private rFirstKeyCount = new Uint32Array(0);
  private rHasDuplicate = new Uint8Array(0);
  /** Counts of keys after a recipient's first, only for recipients that have more than one. */
  private otherKeys = new Map<number, Map<number, number>>();

  // Messages: one column entry each; entry i has seq i + 1.
  private size = 0;
  private eRow = new Uint32Array(0);
  private ePrev = new Int32Array(0);
  private eAt = new Float64Array(0);
  private eApi = new Uint8Array(0);
  private eKey = new Float64Array(0);
  private eIndex = new Int32Array(0);
  private eMsgid: Array<string | number> = [];
  private eSource: Array<StatusSource | undefined> = [];
  private payloads = new Map<number, unknown>();
  private keyNames = new Map<number, string>();

  private apiNames: string[] = [];
  private apiIds = new Map<string, number>();
  private apiCounts: number[] = [];
  private duplicateRecipients = 0;
  private duplicatePairs = 0;
  private extraDeliveries = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
  ) {}

  /**
   * The logical key of a send: the value at the configured `dedupeKeyPath` when the body has one
   * (so a test can key by, say, a delivery id in the URL), else the hash of `content()`.
   */
  keyFor(body: unknown, content: () => string): number {
    const path = this.config.current.dedupeKeyPath;
    if (path) {
      const value = valueAtPath(body, path);
      if (value !== undefined && value !== null) {
        const name = typeof value === 'string' ? value : JSON.stringify(value);
        const key = contentKey(name);
        if (!this.keyNames.has(key)) {
          if (this.keyNames.size >= Math.max(this.config.current.maxStoredPayloads, 1)) {
            this.keyNames.delete(this.keyNames.keys().next().value as number);
          }
          this.keyNames.set(key, name);
        }
        return key;
      }
    }
    return contentKey(content());
  }

  record(recipient: string, record: MessageRecord): void {
    const i = this.size++;
    this.growEntries(this.size);
    let row = this.rows.get(recipient);
    const isNew = row === undefined;
    if (row === undefined) {
      row = this.rows.size;
      this.rows.set(recipient, row);
      this.growRows(row + 1);
      this.rLast[row] = -1;
    }
    const api = this.apiId(record.api);
    this.eRow[i] = row;
    this.ePrev[i] = this.rLast[row];
    this.eAt[i] = this.clock.now();
    this.eApi[i] = api;
    this.eKey[i] = record.key;
    this.eIndex[i] = record.index ?? -1;
    this.eMsgid[i] = record.msgid;
    this.eSource[i] = record.source;
    this.rLast[row] = i;
    this.rCount[row]++;
    this.apiCounts[api]++;

    if (isNew) {
      this.rFirstKey[row] = record.key;
      this.rFirstKeyCount[row] = 1;
    } else {
      this.countKey(row, record.key);
    }
    if (record.payload !== undefined)
      this.storePayload(
        i,
        row,
        record.payloadIsJson ? new JsonText(record.payload as string) : record.payload,
      );
  }

  recipient(recipient: string, limit = 1000): RecipientView {
    const row = this.rows.get(recipient);
    if (row === undefined) return { recipient, total: 0, keys: {}, messages: [] };
    const keys: Record<string, number> = { [this.keyName(this.rFirstKey[row])]: this.rFirstKeyCount[row] };
    for (const [key, n] of this.otherKeys.get(row) ?? []) keys[this.keyName(key)] = n;
    const messages: RecipientMessageView[] = [];
    for (let i = this.rLast[row]; i >= 0 && messages.length < limit; i = this.ePrev[i]) {
      const view: RecipientMessageView = {
        seq: i + 1,
        api: this.apiNames[this.eApi[i]],
        msgid: this.eMsgid[i],
        key: this.keyName(this.eKey[i]),
        at: new Date(this.eAt[i]).toISOString(),
      };
      const source = this.eSource[i];
      if (source) {
        view.status = source.statusAt(this.eIndex[i]);
        const sendTime = source.sendTimeAt(this.eIndex[i]);
        if (sendTime !== undefined) view.send_time = sendTime;
      }
      if (this.payloads.has(i)) {
        const payload = this.payloads.get(i);
        view.payload = payload instanceof JsonText ? JSON.parse(payload.text) : payload;
      }
      messages.push(view);
    }
    return { recipient, total: this.rCount[row], keys, messages: messages.reverse() };
  }

  totals(): MessageTotals {
    return {
      total: this.size,
      recipients: this.rows.size,
      byApi: Object.fromEntries(this.apiNames.map((name, id) => [name, this.apiCounts[id]])),
      storedPayloads: this.payloads.size,
      duplicates: {
        recipients: this.duplicateRecipients,
        pairs: this.duplicatePairs,
        extraDeliveries: this.extraDeliveries,
        keyedBy: this.config.current.dedupeKeyPath ?? 'content-hash',
      },
    };
  }

  reset(): void {
    this.rows = new Map();
    this.rCount = new Uint32Array(0);
    this.rLast = new Int32Array(0);
    this.rFirstKey = new Float64Array(0);
    this.rFirstKeyCount = new Uint32Array(0);
    this.rHasDuplicate = new Uint8Array(0);
    this.otherKeys = new Map();
    this.size = 0;
    this.eRow = new Uint32Array(0);
    this.ePrev = new Int32Array(0);
    this.eAt = new Float64Array(0);
    this.eApi = new Uint8Array(0);
    this.eKey = new Float64Array(0);
    this.eIndex = new Int32Array(0);
    this.eMsgid = [];
    this.eSource = [];
    this.payloads = new Map();
    this.keyNames = new Map();
    this.apiNames = [];
    this.apiIds = new Map();
    this.apiCounts = [];
    this.duplicateRecipients = 0;
    this.duplicatePairs = 0;
    this.extraDeliveries = 0;
  }

  private countKey(row: number, key: number): void {
    let n: number;
    if (key === this.rFirstKey[row]) {
      n = ++this.rFirstKeyCount[row];
    } else {
      let others = this.otherKeys.get(row);
      if (!others) this.otherKeys.set(row, (others = new Map()));
      n = (others.get(key) ?? 0) + 1;
      others.set(key, n);
    }
    if (n < 2) return;
    this.extraDeliveries++;
    if (n === 2) this.duplicatePairs++;
    if (!this.rHasDuplicate[row]) {
      this.rHasDuplicate[row] = 1;
      this.duplicateRecipients++;
    }
  }

  /** Keeps the payload; drops this recipient's payload N messages back and, over the cap, the oldest. */
  private storePayload(i: number, row: number, payload: unknown): void {
    const { keepPayloadsPerRecipient, maxStoredPayloads } = this.config.current;
    if (maxStoredPayloads === 0 || keepPayloadsPerRecipient === 0) return;
    if (this.rCount[row] > keepPayloadsPerRecipient) {
      let j = i;
      for (let steps = 0; steps < keepPayloadsPerRecipient && j >= 0; steps++) j = this.ePrev[j];
      if (j >= 0) this.payloads.delete(j);
    }
    if (this.payloads.size >= maxStoredPayloads)
      this.payloads.delete(this.payloads.keys().next().value as number);
    this.payloads.set(i, payload);
  }

  private keyName(key: number): string {
    return this.keyNames.get(key) ?? keyHex(key);
  }

  private apiId(api: string): number {
    let id = this.apiIds.get(api);
    if (id === undefined) {
      id = this.apiNames.length;
      if (id > 255) throw new Error('too many distinct APIs');
      this.apiNames.push(api);
      this.apiIds.set(api, id);
      this.apiCounts.push(0);
    }
    return id;
  }

  private growRows(size: number): void {
    if (size <= this.rCount.length) return;
    this.rCount = ensureSize(this.rCount, size);
    this.rLast = ensureSize(this.rLast, size);
    this.rFirstKey = ensureSize(this.rFirstKey, size);
    this.rFirstKeyCount = ensureSize(this.rFirstKeyCount, size);
    this.rHasDuplicate = ensureSize(this.rHasDuplicate, size);
  }

  private growEntries(size: number): void {
    if (size <= this.eRow.length) return;
    this.eRow = ensureSize(this.eRow, size);
    this.ePrev = ensureSize(this.ePrev, size);
    this.eAt = ensureSize(this.eAt, size);
    this.eApi = ensureSize(this.eApi, size);
    this.eKey = ensureSize(this.eKey, size);
    this.eIndex = ensureSize(this.eIndex, size);
  }
}
