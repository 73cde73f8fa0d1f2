import { Injectable } from '@nestjs/common';
import { TokenService } from '../auth/token.service';
import { SimClock } from '../common/sim-clock';
import { SimConfigService } from '../config/sim-config.service';
import { ContactWayService } from '../contact-way/contact-way.service';
import { WelcomeCodeService } from '../contact-way/welcome-code.service';
import { FaultService } from '../faults/fault.service';
import { GroupChatService } from '../groupchat/groupchat.service';
import { GroupWelcomeService } from '../group-welcome/group-welcome.service';
import { GroupMsgService, GroupMsgTotals } from '../groupmsg/groupmsg.service';
import { OaMessageService } from '../oa/oa-message.service';
import { MessageLogService, MessageTotals } from '../stats/message-log.service';
import { ApiStats, StatsService } from '../stats/stats.service';

export interface SimStats {
  apis: Record<string, ApiStats>;
  groupmsg: GroupMsgTotals;
  messages: Omit<MessageTotals, 'duplicates'>;
  duplicates: MessageTotals['duplicates'];
  callbacks: Record<string, number>;
  /** OA template sends answered from an earlier send with the same (touser, client_msg_id). */
  oaReplayed: number;
  memory: { rssBytes: number; heapUsedBytes: number };
}

/** Reset and the stats snapshot, across every part of the simulator. */
@Injectable()
export class SimAdminService {
  constructor(
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
    private readonly tokens: TokenService,
    private readonly faults: FaultService,
    private readonly stats: StatsService,
    private readonly messages: MessageLogService,
    private readonly groupMsg: GroupMsgService,
    private readonly groupChats: GroupChatService,
    private readonly contactWays: ContactWayService,
    private readonly welcomeCodes: WelcomeCodeService,
    private readonly oa: OaMessageService,
    private readonly groupWelcome: GroupWelcomeService,
  ) {}

  reset(keepConfig = false): void {
    if (!keepConfig) this.config.reset();
    this.clock.reset();
    this.tokens.reset();
    this.faults.clear();
    this.stats.reset();
    this.messages.reset();
    this.groupMsg.reset();
    this.groupChats.reset();
    this.contactWays.reset();
    this.welcomeCodes.reset();
    this.oa.reset();
    this.groupWelcome.reset();
  }

  snapshot(): SimStats {
    const { duplicates, ...messages } = this.messages.totals();
    const mem = process.memoryUsage();
    return {
      apis: this.stats.apis(),
      groupmsg: this.groupMsg.totals(),
      messages,
      duplicates,
      callbacks: this.stats.callbackOutcomes(),
      oaReplayed: this.oa.replayed,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    };
  }
}
