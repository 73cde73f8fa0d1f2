import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { CHURN_ALERT_ON } from '../churn.constants';

export class ChurnSettingsPutDto {
  @ApiProperty({ description: 'Alert the staff member by a WeCom application message (message/send)' })
  @IsBoolean()
  appAlerts: boolean;

  @ApiPropertyOptional({ description: 'The WeCom application (agentid) to send as; required with appAlerts' })
  @ValidateIf((o: ChurnSettingsPutDto) => o.appAlerts === true || o.agentId !== undefined)
  @IsInt({ message: 'agentId is required (an integer) when appAlerts is on' })
  @Min(1)
  @Max(2_147_483_647)
  agentId?: number;

  @ApiPropertyOptional({ nullable: true, description: 'POST a signed JSON alert here; null to remove' })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'webhookUrl must be an http(s) URL' },
  )
  @MaxLength(500)
  webhookUrl?: string | null;

  @ApiPropertyOptional({
    description:
      'The HMAC-SHA256 key of the webhook signature (16–200 characters); required with a new webhookUrl',
  })
  @ValidateIf((o: ChurnSettingsPutDto) => o.webhookSecret !== undefined)
  @IsString()
  @Length(16, 200)
  webhookSecret?: string;

  @ApiPropertyOptional({
    enum: CHURN_ALERT_ON,
    default: 'customer',
    description: 'customer: only when a customer deletes staff; both: also when staff delete a customer',
  })
  @IsOptional()
  @IsIn(CHURN_ALERT_ON)
  alertOn?: (typeof CHURN_ALERT_ON)[number];
}

export class ChurnSettingsResponseDto {
  @ApiProperty() appAlerts: boolean;
  @ApiProperty({ nullable: true, type: Number }) agentId: number | null;
  @ApiProperty({ nullable: true, type: String }) webhookUrl: string | null;
  @ApiProperty({ description: 'Whether a webhook secret is set (it is never shown)' })
  webhookSecretSet: boolean;
  @ApiProperty({ enum: CHURN_ALERT_ON }) alertOn: string;
}

export class ChurnRatesQueryDto {
  @ApiProperty({ enum: ['staff', 'state'], description: 'Per staff member, or per contact-way state' })
  @IsIn(['staff', 'state'])
  by: 'staff' | 'state';

  @ApiPropertyOptional({ description: 'ISO 8601 instant; default 30 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 instant' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant; default now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 instant' })
  to?: string;
}

export class ChurnRateRowDto {
  @ApiProperty({ description: 'The staff userid or the state ("" for contacts without one)' }) key: string;
  @ApiProperty({ description: 'Relationships active when the period began' }) activeAtStart: number;
  @ApiProperty({ description: 'Relationships added in the period' }) added: number;
  @ApiProperty({ description: 'Relationships lost in the period' }) lost: number;
  @ApiProperty() lostByCustomer: number;
  @ApiProperty() lostByStaff: number;
  @ApiProperty({
    description: 'lost / (activeAtStart + added), 4 decimals; null with no base',
    nullable: true,
    type: String,
  })
  churnRate: string | null;
}

export class ChurnRatesResponseDto {
  @ApiProperty() from: Date;
  @ApiProperty() to: Date;
  @ApiProperty({ enum: ['staff', 'state'] }) by: string;
  @ApiProperty({ type: [ChurnRateRowDto] }) rows: ChurnRateRowDto[];
  @ApiProperty({ type: ChurnRateRowDto }) total: ChurnRateRowDto;
}

export class ChurnAlertViewDto {
  @ApiProperty() channel: string;
  @ApiProperty() status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Date }) sentAt: Date | null;
}

export class ChurnEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) memberId: string | null;
  @ApiProperty() staffUserid: string;
  @ApiProperty() externalUserid: string;
  @ApiProperty({ enum: ['staff', 'customer'] }) endedBy: string;
  @ApiProperty({ nullable: true, type: String }) state: string | null;
  @ApiProperty() occurredAt: Date;
  @ApiProperty({ type: [ChurnAlertViewDto] }) alerts: ChurnAlertViewDto[];
}

export class ChurnEventPageDto {
  @ApiProperty({ type: [ChurnEventResponseDto] }) items: ChurnEventResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
