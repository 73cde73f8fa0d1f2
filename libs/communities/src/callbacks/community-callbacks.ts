import { Injectable, OnModuleInit } from '@nestjs/common';
import { WecomEventRegistry } from '@siyu/channels';
import { ContactEventsHandler } from './contact-events.handler';
import { GroupEventsHandler } from './group-events.handler';

export const GROUP_EVENTS_HANDLER = 'communities.groups';
export const CONTACT_EVENTS_HANDLER = 'communities.contacts';

/**
 * Subscribes the communities handlers to WeCom callback events. They run in the worker, inside the
 * transaction that marks the stored event done (see WecomEventRegistry).
 */
@Injectable()
export class CommunityCallbacks implements OnModuleInit {
  constructor(
    private readonly registry: WecomEventRegistry,
    private readonly groups: GroupEventsHandler,
    private readonly contacts: ContactEventsHandler,
  ) {}

  onModuleInit(): void {
    this.registry.on(
      'change_external_chat',
      (event, m) => this.groups.handle(event, m),
      GROUP_EVENTS_HANDLER,
    );
    this.registry.on(
      'change_external_contact',
      (event, m) => this.contacts.handle(event, m),
      CONTACT_EVENTS_HANDLER,
    );
  }
}
