import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { ReferralInviteView } from '../referral-campaigns.service';

export class ReferralInviteCreateDto {
  @ApiProperty({ format: 'uuid', description: 'The inviting member' })
  @IsUUID('all', { message: 'memberId must be a UUID' })
  memberId: string;
}

export class ReferralInviteResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) campaignId: string;
  @ApiProperty({ format: 'uuid' }) memberId: string;
  @ApiProperty() code: string;
  @ApiProperty({ description: 'rf_<code>: the contact way and join way state' }) state: string;
  @ApiProperty({ nullable: true, type: String, description: "The personal contact way's QR code" }) qrCode:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: "The personal group join way's QR code" })
  joinQrCode: string | null;
  @ApiProperty({ description: 'The poster page of the invite' }) posterUrl: string;
  @ApiProperty() pending: number;
  @ApiProperty() retained: number;
  @ApiProperty() lost: number;
  @ApiProperty() refused: number;
  @ApiProperty() createdAt: Date;

  static from(v: ReferralInviteView): ReferralInviteResponseDto {
    return Object.assign(new ReferralInviteResponseDto(), v);
  }
}

export class ReferralPosterResponseDto {
  @ApiProperty() campaignName: string;
  @ApiProperty() code: string;
  @ApiProperty({ nullable: true, type: String }) qrCode: string | null;
  @ApiProperty({ nullable: true, type: String }) joinQrCode: string | null;
  @ApiProperty({ nullable: true, type: Date }) endsAt: Date | null;
}
