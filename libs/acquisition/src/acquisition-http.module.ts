import { Module } from '@nestjs/common';
import { AcquisitionModule } from './acquisition.module';
import { ChannelCodesController } from './channel-codes/channel-codes.controller';
import { AcquisitionReportController } from './reports/acquisition-report.controller';

/** The acquisition routes: /v1/acquisition/channel-codes and /v1/acquisition/report. */
@Module({ imports: [AcquisitionModule], controllers: [ChannelCodesController, AcquisitionReportController] })
export class AcquisitionHttpModule {}
