import { Module } from '@nestjs/common';
import { AcquisitionStateRegistry } from './acquisition-states.registry';

/**
 * The pieces every acquisition module shares (one registry per process). The channel-code,
 * join-way and referral modules import it.
 */
@Module({ providers: [AcquisitionStateRegistry], exports: [AcquisitionStateRegistry] })
export class AcquisitionCoreModule {}
