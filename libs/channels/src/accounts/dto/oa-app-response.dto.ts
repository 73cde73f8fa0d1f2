import { ApiProperty } from '@nestjs/swagger';

export interface OaAppView {
  id: string;
  name: string;
  appId: string;
  secret: string | null;
  templateIds: string[];
  sendsPerSecond: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export class OaAppResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() appId: string;
  @ApiProperty({ description: 'Masked' }) secret: string | null;
  @ApiProperty({ type: [String] }) templateIds: string[];
  @ApiProperty({ nullable: true, type: Number }) sendsPerSecond: number | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: OaAppView): OaAppResponseDto {
    return Object.assign(new OaAppResponseDto(), v);
  }
}

export class OaAppListDto {
  @ApiProperty({ type: [OaAppResponseDto] }) items: OaAppResponseDto[];
}
