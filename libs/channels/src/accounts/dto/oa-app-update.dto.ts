import { PartialType } from '@nestjs/swagger';
import { OaAppCreateDto } from './oa-app-create.dto';

/** PATCH /v1/channels/oa-apps/:id: any subset; an omitted secret keeps its stored value. */
export class OaAppUpdateDto extends PartialType(OaAppCreateDto) {}
