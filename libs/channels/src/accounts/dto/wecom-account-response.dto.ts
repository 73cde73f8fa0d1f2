import { ApiProperty } from '@nestjs/swagger';

export interface WecomAccountView {
  corpId: string;
  agentId: string | null;
  contactSecret: string | null;
  callbackToken: string | null;
  encodingAesKey: string | null;
  sendsPerSecond: number | null;
  callbackPath: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The corp as the API shows it: secrets masked, never returned. */
export class WecomAccountResponseDto {
  @ApiProperty() corpId: string;
  @ApiProperty({ nullable: true, type: String }) agentId: string | null;
  @ApiProperty({ description: 'Masked', example: '••••••a1b2' }) contactSecret: string | null;
  @ApiProperty({ description: 'Masked' }) callbackToken: string | null;
  @ApiProperty({ description: 'Masked' }) encodingAesKey: string | null;
  @ApiProperty({ nullable: true, type: Number }) sendsPerSecond: number | null;
  @ApiProperty({
    description: "The URL path to enter as the app's callback URL (GET verifies it, POST receives events)",
    example: '/v1/channels/wecom/callback/3f0c…',
  })
  callbackPath: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: WecomAccountView): WecomAccountResponseDto {
    return Object.assign(new WecomAccountResponseDto(), v);
  }
}
