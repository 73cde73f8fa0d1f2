import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A stored WeCom callback event as handlers see it. */
export interface WecomCallbackEvent {
  /** The channel_wecom_events row id. */
  id: string;
  brandId: string;
  /** `Event` (change_external_chat, change_external_contact, …) or, for plain messages, `MsgType`. */
  event: string;
  /** `ChangeType` (create, update, dismiss, add_external_contact, del_follow_user, …) when present. */
  changeType: string | null;
  /** The event's XML fields (strings; `<Item>` lists as arrays), free-text personal fields redacted. */
  fields: Record<string, unknown>;
  receivedAt: Date;
}

/**
 * Runs inside the transaction that marks the event done: a handler's writes and the event's
 * status commit together. Throwing fails the event; it is retried (the same event, so handlers
 * must tolerate seeing it again after a failure — they never see it again after success).
 */
export type WecomEventHandler = (event: WecomCallbackEvent, manager: EntityManager) => Promise<void>;

interface Registered {
  name: string;
  handler: WecomEventHandler;
}

/**
 * Where other libs subscribe to WeCom callback events without channels depending on them:
 * `registry.on('change_external_chat', handler, 'communities.groups')` from their module's
 * onModuleInit (in the worker process, which handles the events). `'*'` receives every event.
 */
@Injectable()
export class WecomEventRegistry {
  private readonly handlers = new Map<string, Registered[]>();

  on(
    event: string,
    handler: WecomEventHandler,
    name = `${event}#${(this.handlers.get(event)?.length ?? 0) + 1}`,
  ): void {
    const list = this.handlers.get(event) ?? [];
    if (list.some((h) => h.name === name))
      throw new Error(`a WeCom event handler named ${name} is already registered`);
    list.push({ name, handler });
    this.handlers.set(event, list);
  }

  handlersFor(event: string): Registered[] {
    return [...(this.handlers.get(event) ?? []), ...(this.handlers.get('*') ?? [])];
  }
}
