import {
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import type { XmlFields } from './callback-xml';

/** Where and how to deliver a callback: Siyu's URL and the app's Token / EncodingAESKey / CorpID. */
export class CallbackTargetDto {
  @Matches(/^https?:\/\/\S+$/, { message: 'url must be an http(s) URL' }) url: string;
  @IsString() @IsNotEmpty() token: string;
  @IsString() @Length(43, 43) encodingAESKey: string;
  /** The receiveid appended to the plaintext: the CorpID (or the OA's AppID). */
  @IsString() @IsNotEmpty() corpId: string;
  @IsOptional() @IsInt() @Min(1) @Max(120_000) timeoutMs?: number;
}

/**
 * Body of POST /_sim/callbacks. `event` holds the XML fields (Event, ChangeType, ChatId,
 * UpdateDetail, JoinScene, UserID, ExternalUserID, State, WelcomeCode, …); ToUserName,
 * FromUserName, CreateTime and MsgType are filled in when absent. For add_external_contact a
 * WelcomeCode is generated (and made usable by send_welcome_msg) unless one is given.
 */
export class CallbackPushDto extends CallbackTargetDto {
  @IsObject() event: XmlFields;
  @IsOptional() @IsString() agentId?: string;
  @IsOptional() @Matches(/^\d+$/) timestamp?: string;
  @IsOptional() @IsString() @IsNotEmpty() nonce?: string;
}
