import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { jsonObject, optionalString } from '../common/cgi-body';
import { WecomErrcode, WecomError } from '../wecom-errors';
import { TokenReply, TokenService } from './token.service';

interface GetTokenQuery {
  corpid?: string;
  corpsecret?: string;
}

interface OaTokenQuery {
  grant_type?: string;
  appid?: string;
  secret?: string;
}

function requireOaCredentials(grantType: unknown, appid: unknown, secret: unknown): [string, string] {
  if (grantType !== 'client_credential') throw new WecomError(WecomErrcode.INVALID_GRANT_TYPE);
  if (typeof appid !== 'string' || !appid) throw new WecomError(WecomErrcode.CORPID_MISSING, 'appid missing');
  if (typeof secret !== 'string' || !secret)
    throw new WecomError(WecomErrcode.SECRET_MISSING, 'secret missing');
  return [appid, secret];
}

/** gettoken (WeCom) and token / stable_token (Official Account). */
@Controller('cgi-bin')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Get('gettoken')
  getToken(@Query() query: GetTokenQuery): TokenReply {
    if (!query.corpid) throw new WecomError(WecomErrcode.CORPID_MISSING);
    if (!query.corpsecret) throw new WecomError(WecomErrcode.SECRET_MISSING);
    return this.tokens.issue('wecom', query.corpid, query.corpsecret);
  }

  @Get('token')
  oaToken(@Query() query: OaTokenQuery): TokenReply {
    const [appid, secret] = requireOaCredentials(query.grant_type, query.appid, query.secret);
    return this.tokens.issue('oa', appid, secret);
  }

  @Post('stable_token')
  @HttpCode(200)
  oaStableToken(@Body() body: unknown): TokenReply {
    const obj = jsonObject(body);
    const [appid, secret] = requireOaCredentials(
      obj.grant_type,
      optionalString(obj, 'appid'),
      optionalString(obj, 'secret'),
    );
    return this.tokens.issueStable(appid, secret, obj.force_refresh === true);
  }
}
