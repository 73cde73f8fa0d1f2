import { Injectable } from '@nestjs/common';
import { ChannelAdapter, ChannelKind } from './channel-adapter';
import { OaMessageAdapter } from './oa-message.adapter';
import { WecomGroupAdapter, WecomSingleAdapter } from './wecom-broadcast.adapter';

/** The adapter for a channel kind: what the campaign engine asks for. */
@Injectable()
export class ChannelAdapters {
  private readonly byKind: Record<ChannelKind, ChannelAdapter>;

  constructor(group: WecomGroupAdapter, single: WecomSingleAdapter, oa: OaMessageAdapter) {
    this.byKind = { wecom_group: group, wecom_single: single, oa };
  }

  get(kind: ChannelKind): ChannelAdapter {
    const adapter = this.byKind[kind];
    if (!adapter) throw new Error(`unknown channel kind ${String(kind)}`);
    return adapter;
  }
}
