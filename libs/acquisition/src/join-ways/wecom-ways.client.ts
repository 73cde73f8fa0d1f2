import { Injectable } from '@nestjs/common';
import { ChannelAccountsService, ChannelResult, WecomClient } from '@siyu/channels';
import { wecomValue } from '../common/wecom-call';

type CgiAccount = ReturnType<WecomClient['account']>;

export interface ContactWayRequest {
  type: 1 | 2;
  users: string[];
  state: string;
  skipVerify: boolean;
  remark?: string;
}

export interface JoinWayRequest {
  chatIds: string[];
  state: string;
  remark?: string;
  autoCreateRoom: boolean;
  roomBaseName?: string | null;
  roomBaseId?: number | null;
}

/**
 * The WeCom contact-way, join-way and application-message calls the growth features make, through
 * the channels lib's WecomClient (its token cache, rate limits and errcode classification).
 */
@Injectable()
export class WecomWaysClient {
  constructor(
    private readonly wecom: WecomClient,
    private readonly accounts: ChannelAccountsService,
  ) {}

  private async account(brandId: string): Promise<CgiAccount> {
    const access = await this.accounts.wecomAccess(brandId);
    return this.wecom.account(access.credentials);
  }

  private async call(brandId: string, api: string, body: unknown): Promise<Record<string, unknown>> {
    return wecomValue(await this.wecom.call(await this.account(brandId), api, body));
  }

  /** The channels lib's add_contact_way (scene 2: a QR code), failures as WecomWayException (common/wecom-call). */
  async addContactWay(
    brandId: string,
    req: ContactWayRequest,
  ): Promise<{ configId: string; qrCode: string | null }> {
    const { credentials } = await this.accounts.wecomAccess(brandId);
    return wecomValue(
      await this.wecom.addContactWay(credentials, {
        type: req.type,
        scene: 2,
        user: req.users,
        state: req.state,
        skipVerify: req.skipVerify,
        ...(req.remark ? { remark: req.remark.slice(0, 30) } : {}),
      }),
    );
  }

  async delContactWay(brandId: string, configId: string): Promise<void> {
    const { credentials } = await this.accounts.wecomAccess(brandId);
    wecomValue(await this.wecom.delContactWay(credentials, configId));
  }

  private joinBody(req: JoinWayRequest): Record<string, unknown> {
    return {
      scene: 2,
      chat_id_list: req.chatIds,
      state: req.state,
      auto_create_room: req.autoCreateRoom ? 1 : 0,
      ...(req.remark ? { remark: req.remark.slice(0, 30) } : {}),
      ...(req.autoCreateRoom && req.roomBaseName ? { room_base_name: req.roomBaseName } : {}),
      ...(req.autoCreateRoom && req.roomBaseId != null ? { room_base_id: req.roomBaseId } : {}),
    };
  }

  /** groupchat/add_join_way, then get_join_way for its QR code (add answers only the config_id). */
  async addJoinWay(
    brandId: string,
    req: JoinWayRequest,
  ): Promise<{ configId: string; qrCode: string | null }> {
    const r = await this.call(brandId, 'externalcontact/groupchat/add_join_way', this.joinBody(req));
    const configId = String(r.config_id);
    const got = await this.call(brandId, 'externalcontact/groupchat/get_join_way', { config_id: configId });
    const way = (got.join_way ?? {}) as Record<string, unknown>;
    return { configId, qrCode: typeof way.qr_code === 'string' ? way.qr_code : null };
  }

  async updateJoinWay(brandId: string, configId: string, req: JoinWayRequest): Promise<void> {
    await this.call(brandId, 'externalcontact/groupchat/update_join_way', {
      config_id: configId,
      ...this.joinBody(req),
    });
  }

  async delJoinWay(brandId: string, configId: string): Promise<void> {
    await this.call(brandId, 'externalcontact/groupchat/del_join_way', { config_id: configId });
  }

  /** externalcontact/group_welcome_template/add: the group welcome text as a template; answers its id. */
  async addGroupWelcome(brandId: string, text: string): Promise<string> {
    const r = await this.call(brandId, 'externalcontact/group_welcome_template/add', {
      text: { content: text },
    });
    return String(r.template_id);
  }

  async editGroupWelcome(brandId: string, templateId: string, text: string): Promise<void> {
    await this.call(brandId, 'externalcontact/group_welcome_template/edit', {
      template_id: templateId,
      text: { content: text },
    });
  }

  async delGroupWelcome(brandId: string, templateId: string): Promise<void> {
    await this.call(brandId, 'externalcontact/group_welcome_template/del', { template_id: templateId });
  }

  /** message/send: a text application message to staff members. */
  async sendAppText(
    brandId: string,
    agentId: number,
    touser: string[],
    content: string,
  ): Promise<ChannelResult<Record<string, unknown>>> {
    return this.wecom.call(await this.account(brandId), 'message/send', {
      touser: touser.join('|'),
      msgtype: 'text',
      agentid: agentId,
      text: { content },
    });
  }
}
