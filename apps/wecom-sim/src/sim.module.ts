import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { SimAdminController } from './admin/sim-admin.controller';
import { SimAdminService } from './admin/sim-admin.service';
import { AppMessageController } from './app-message/app-message.controller';
import { AppMessageService } from './app-message/app-message.service';
import { TokenController } from './auth/token.controller';
import { TokenService } from './auth/token.service';
import { CallbackPushService } from './callbacks/callback-push.service';
import { CallbacksController } from './callbacks/callbacks.controller';
import { SimClock } from './common/sim-clock';
import { SimConfigService } from './config/sim-config.service';
import { ContactWayController } from './contact-way/contact-way.controller';
import { ContactWayService } from './contact-way/contact-way.service';
import { WelcomeCodeService } from './contact-way/welcome-code.service';
import { FaultService } from './faults/fault.service';
import { FaultsController } from './faults/faults.controller';
import { GroupChatController } from './groupchat/groupchat.controller';
import { GroupChatService } from './groupchat/groupchat.service';
import { GroupWelcomeController } from './group-welcome/group-welcome.controller';
import { GroupWelcomeService } from './group-welcome/group-welcome.service';
import { GroupMsgController } from './groupmsg/groupmsg.controller';
import { GroupMsgService } from './groupmsg/groupmsg.service';
import { OaMessageController } from './oa/oa-message.controller';
import { OaMessageService } from './oa/oa-message.service';
import { MessageLogService } from './stats/message-log.service';
import { StatsService } from './stats/stats.service';
import { WecomErrorFilter } from './wecom-error.filter';

/**
 * # wecom-sim
 *
 * A stand-in for the WeCom (qyapi.weixin.qq.com) and WeChat Official Account (api.weixin.qq.com)
 * servers on loopback, for Siyu's demo, e2e tests and benchmarks. State lives in memory. Every
 * /cgi-bin reply is HTTP 200 with `errcode`/`errmsg`; all but the token endpoints need
 * `?access_token=` (41001 missing, 40014 unknown — 40001 on the OA APIs — 42001 expired).
 *
 * WeCom:
 * - `GET  /cgi-bin/gettoken?corpid=&corpsecret=`
 * - `POST /cgi-bin/externalcontact/add_msg_template` — chat_type single (external_userid ≤ 10000)
 *   or group (sender required, chat_id_list ≤ 2000, default: the sender's seeded groups);
 *   text.content ≤ 4000 bytes (45002), attachments ≤ 9 (image/link/miniprogram/video/file)
 * - `POST /cgi-bin/externalcontact/get_groupmsg_task`, `get_groupmsg_send_result` (41063 while
 *   not ready, if configured), `remind_groupmsg_send`, `cancel_groupmsg_send`
 * - `POST /cgi-bin/externalcontact/groupchat/list`, `groupchat/get`
 * - `POST /cgi-bin/externalcontact/add_contact_way`, `get_contact_way`, `update_contact_way`,
 *   `del_contact_way`, `send_welcome_msg` (41050 expired, 41051 used),
 *   `groupchat/add_join_way`, `get_join_way`, `update_join_way`, `del_join_way`
 * - `POST /cgi-bin/externalcontact/group_welcome_template/add`, `edit`, `get`, `del`
 * - `POST /cgi-bin/message/send` — application message to staff
 *
 * Official Account:
 * - `GET  /cgi-bin/token?grant_type=client_credential&appid=&secret=`, `POST /cgi-bin/stable_token`
 * - `POST /cgi-bin/message/template/send` → `{ msgid }`; `POST /cgi-bin/message/subscribe/send`
 *   (and `subscribe/bizsend`). No deduplication: repeats are recorded and counted as duplicates.
 *
 * Simulator control (JSON; bad input is a 400):
 * - `GET /health`
 * - `GET|POST /_sim/config` — token TTL, confirm mode/delay, limits and their period, not-friend
 *   and invalid lists, accepted secrets, payload retention, dedupe key path (see SimConfig)
 * - `POST /_sim/reset` — clear all state, faults and the clock (`{ keepConfig: true }` keeps config)
 * - `POST /_sim/clock { advanceMs }` — move the simulator's "now" forward
 * - `GET /_sim/stats` — calls and errors per API, group-send statuses, message totals, duplicates
 * - `GET /_sim/messages?recipient=` — what one recipient got, in order, with statuses
 * - `POST /_sim/groupchats` (one chat or `{ group_chats }`, upsert), `GET /_sim/groupchats`,
 *   `DELETE /_sim/groupchats/:chatId`
 * - `GET /_sim/groupmsg?msgid=`, `POST /_sim/groupmsg/confirm { msgid? sender? }`
 * - `POST /_sim/welcome-codes { external_userid, userid?, welcome_code? }`
 * - `POST|GET|DELETE /_sim/faults` — error rates per errcode, latency, outage windows
 *   (error / refuse / hang), rate limits per account or sender (45009); seeded = deterministic
 * - `POST /_sim/callbacks` — build, encrypt, sign and POST an event to Siyu; returns its status
 * - `POST /_sim/callbacks/verify` — WeCom's echostr URL check against Siyu
 *
 * Start it with `node dist/apps/wecom-sim/src/main.js` (listens on WECOM_BASE_URL, default
 * http://127.0.0.1:3900) or in-process with `startSim({ port: 0 })` from `sim-app.ts`.
 * Performance: no request logging, O(1) work per message; one million OA template sends keep
 * about 150 MB of live heap (RSS ≈ 650 MB with V8's default heap headroom, ≈ 375 MB under
 * `NODE_OPTIONS=--max-old-space-size=256`).
 */
@Module({
  controllers: [
    TokenController,
    GroupMsgController,
    GroupChatController,
    ContactWayController,
    GroupWelcomeController,
    OaMessageController,
    AppMessageController,
    SimAdminController,
    FaultsController,
    CallbacksController,
  ],
  providers: [
    SimClock,
    SimConfigService,
    TokenService,
    FaultService,
    StatsService,
    MessageLogService,
    GroupChatService,
    GroupMsgService,
    WelcomeCodeService,
    ContactWayService,
    GroupWelcomeService,
    OaMessageService,
    AppMessageService,
    CallbackPushService,
    SimAdminService,
    { provide: APP_FILTER, useClass: WecomErrorFilter },
  ],
})
export class SimModule {}
