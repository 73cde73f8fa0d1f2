import { randomBytes, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SimClock } from '../common/sim-clock';
import { WelcomeCodeService } from '../contact-way/welcome-code.service';
import { StatsService } from '../stats/stats.service';
import type { CallbackPushDto, CallbackTargetDto } from './callback-push.dto';
import { buildEnvelopeXml, buildXml, XmlFields } from './callback-xml';
import { computeSignature, encryptMessage } from './wecom-crypto';

export interface CallbackPushResult {
  /** Siyu's HTTP status, or null when the request did not complete. */
  status: number | null;
  body?: string;
  error?: string;
  plaintext: string;
  timestamp: string;
  nonce: string;
  msg_signature: string;
  welcome_code?: string;
}

export interface CallbackVerifyResult {
  status: number | null;
  echoed: boolean;
  body?: string;
  error?: string;
}

const WELCOME_CODE_CHANGES = new Set(['add_external_contact', 'add_half_external_contact']);
const MAX_BODY_ECHO = 2048;

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Builds, encrypts, signs and POSTs callback events to Siyu exactly as WeCom does. */
@Injectable()
export class CallbackPushService {
  constructor(
    private readonly clock: SimClock,
    private readonly welcomeCodes: WelcomeCodeService,
    private readonly stats: StatsService,
  ) {}

  async push(dto: CallbackPushDto): Promise<CallbackPushResult> {
    const timestamp = dto.timestamp ?? String(this.clock.nowSeconds());
    const nonce = dto.nonce ?? String(randomInt(100_000_000, 999_999_999));
    const fields: XmlFields = {
      ToUserName: dto.corpId,
      FromUserName: 'sys',
      CreateTime: Number(timestamp),
      MsgType: 'event',
      ...dto.event,
    };
    let welcomeCode: string | undefined;
    if (fields.Event === 'change_external_contact' && WELCOME_CODE_CHANGES.has(String(fields.ChangeType))) {
      const given =
        typeof fields.WelcomeCode === 'string' && fields.WelcomeCode ? fields.WelcomeCode : undefined;
      welcomeCode = this.welcomeCodes.issue(
        { externalUserId: String(fields.ExternalUserID ?? ''), userId: String(fields.UserID ?? '') },
        given,
      ).welcome_code;
      fields.WelcomeCode = welcomeCode;
    }
    const plaintext = buildXml(fields);
    const encrypt = encryptMessage(plaintext, dto.encodingAESKey, dto.corpId);
    const signature = computeSignature(dto.token, timestamp, nonce, encrypt);
    const envelope = buildEnvelopeXml(dto.corpId, encrypt, dto.agentId ?? '');
    const url = withQuery(dto.url, { msg_signature: signature, timestamp, nonce });
    const base = {
      plaintext,
      timestamp,
      nonce,
      msg_signature: signature,
      ...(welcomeCode ? { welcome_code: welcomeCode } : {}),
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: envelope,
        signal: AbortSignal.timeout(dto.timeoutMs ?? 10_000),
      });
      const body = (await res.text()).slice(0, MAX_BODY_ECHO);
      this.stats.recordCallback(String(res.status));
      return { status: res.status, body, ...base };
    } catch (err) {
      this.stats.recordCallback('failed');
      return { status: null, error: err instanceof Error ? err.message : String(err), ...base };
    }
  }

  /** WeCom's URL check: GET with an encrypted echostr; Siyu must answer with the plaintext. */
  async verify(dto: CallbackTargetDto): Promise<CallbackVerifyResult> {
    const timestamp = String(this.clock.nowSeconds());
    const nonce = String(randomInt(100_000_000, 999_999_999));
    const plain = BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
    const echostr = encryptMessage(plain, dto.encodingAESKey, dto.corpId);
    const signature = computeSignature(dto.token, timestamp, nonce, echostr);
    const url = withQuery(dto.url, { msg_signature: signature, timestamp, nonce, echostr });
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(dto.timeoutMs ?? 10_000) });
      const body = (await res.text()).slice(0, MAX_BODY_ECHO);
      return { status: res.status, echoed: res.ok && body.trim() === plain, body };
    } catch (err) {
      return { status: null, echoed: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
