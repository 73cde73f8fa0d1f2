import { Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { acceptXmlBody, Public, uuidParam } from '@siyu/platform';
import type { FastifyRequest } from 'fastify';
import { ChannelException } from '../channel-errors';
import { CallbackQuery, WecomEventsService } from './wecom-events.service';

export const WECOM_CALLBACK_ROUTE = '/v1/channels/wecom/callback/:brandId';
acceptXmlBody(WECOM_CALLBACK_ROUTE);

const queryOf = (req: FastifyRequest): CallbackQuery => {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const pick = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  return {
    msg_signature: pick('msg_signature'),
    timestamp: pick('timestamp'),
    nonce: pick('nonce'),
    echostr: pick('echostr'),
  };
};

/**
 * The URL a brand enters as its WeCom app's callback ("接收消息服务器配置"). Public: WeCom signs
 * every request with the brand's Token (msg_signature) and encrypts it with its EncodingAESKey.
 */
@ApiExcludeController()
@Public()
@Controller('v1/channels/wecom/callback')
export class WecomCallbackController {
  constructor(private readonly events: WecomEventsService) {}

  /** URL verification: answers the decrypted echostr as plain text. */
  @Get(':brandId')
  @Header('content-type', 'text/plain; charset=utf-8')
  verify(@Param('brandId', uuidParam) brandId: string, @Req() req: FastifyRequest): Promise<string> {
    return this.events.verifyUrl(brandId, queryOf(req));
  }

  /** An event: stored once, queued for the handlers, answered `success` at once. */
  @Post(':brandId')
  @HttpCode(200)
  @Header('content-type', 'text/plain; charset=utf-8')
  async receive(@Param('brandId', uuidParam) brandId: string, @Req() req: FastifyRequest): Promise<string> {
    const body = (req as FastifyRequest & { rawBody?: string }).rawBody;
    if (typeof body !== 'string' || body.length === 0) throw ChannelException.signatureInvalid();
    await this.events.receive(brandId, queryOf(req), body);
    return 'success';
  }
}
