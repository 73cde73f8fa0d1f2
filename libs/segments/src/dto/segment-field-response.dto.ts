import { ApiProperty } from '@nestjs/swagger';
import { SegmentFieldDef, ValueSpec } from '../rule/segment-field';

export class SegmentFieldOpDto {
  @ApiProperty() op: string;
  @ApiProperty({
    description: 'none | string | integer | boolean | date | uuid | list<…> | range<…>',
    example: 'list<uuid>',
  })
  value: string;
  @ApiProperty({ type: [String], required: false }) values?: string[];
  @ApiProperty({ required: false }) min?: number;
  @ApiProperty({ required: false }) max?: number;
}

export class SegmentFieldResponseDto {
  @ApiProperty() name: string;
  @ApiProperty() category: string;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'Takes `days` (a window)' }) window: boolean;
  @ApiProperty({ type: [SegmentFieldOpDto] }) ops: SegmentFieldOpDto[];

  static from(def: SegmentFieldDef): SegmentFieldResponseDto {
    return Object.assign(new SegmentFieldResponseDto(), {
      name: def.name,
      category: def.category,
      description: def.description,
      window: def.window === true,
      ops: Object.entries(def.ops).map(([op, spec]) => ({ op, ...describeSpec(spec) })),
    });
  }
}

function describeSpec(spec: ValueSpec): Omit<SegmentFieldOpDto, 'op'> {
  if (spec.kind === 'list' || spec.kind === 'range') {
    const inner = describeSpec(spec.of);
    return { ...inner, value: `${spec.kind}<${inner.value}>` };
  }
  if (spec.kind === 'string' && spec.enum) return { value: 'string', values: [...spec.enum] };
  if (spec.kind === 'integer') return { value: 'integer', min: spec.min, max: spec.max };
  return { value: spec.kind };
}
