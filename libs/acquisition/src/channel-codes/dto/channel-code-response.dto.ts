import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WelcomeContent } from '../../acquisition-states.registry';
import type {
  ChannelCodeStatus,
  ChannelCodeType,
  RoutingRule,
  ScheduleWindow,
} from '../channel-codes.constants';
import type { ChannelCode } from '../entities/channel-code.entity';

export class ChannelCodeResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() state: string;
  @ApiProperty() type: ChannelCodeType;
  @ApiProperty() skipVerify: boolean;
  @ApiPropertyOptional({ nullable: true }) sourceChannel: string | null;
  @ApiProperty() utm: Record<string, string>;
  @ApiProperty({ type: [String] }) tagIds: string[];
  @ApiPropertyOptional({ nullable: true }) welcome: WelcomeContent | null;
  @ApiProperty() routing: { rule: RoutingRule; dailyCap: number | null; schedule: ScheduleWindow[] };
  @ApiProperty({ type: [String] }) staff: string[];
  @ApiProperty({ type: [String], description: 'The staff the WeCom contact way holds now' })
  activeStaff: string[];
  @ApiPropertyOptional({ nullable: true }) configId: string | null;
  @ApiPropertyOptional({ nullable: true }) qrCode: string | null;
  @ApiProperty() status: ChannelCodeStatus;
  @ApiPropertyOptional({ nullable: true }) routedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(c: ChannelCode): ChannelCodeResponseDto {
    return {
      id: c.id,
      name: c.name,
      state: c.state,
      type: c.type,
      skipVerify: c.skipVerify,
      sourceChannel: c.sourceChannel,
      utm: c.utm,
      tagIds: c.tagIds,
      welcome: c.welcome,
      routing: { rule: c.routingRule, dailyCap: c.dailyCap, schedule: c.schedule },
      staff: c.staff,
      activeStaff: c.activeStaff,
      configId: c.configId,
      qrCode: c.qrCode,
      status: c.status,
      routedAt: c.routedAt ? c.routedAt.toISOString() : null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}
