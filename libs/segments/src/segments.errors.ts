import { describeConstraint, DomainException, FieldError } from '@siyu/platform';

export enum SegmentErrorCode {
  RuleInvalid = 'SEGMENT_RULE_INVALID',
  NameTaken = 'SEGMENT_NAME_TAKEN',
}

export class SegmentException extends DomainException {
  /** The rule tree is not valid: each error names the path to the bad node (`rule.all[2].value`). */
  static ruleInvalid(errors: FieldError[]): SegmentException {
    return new SegmentException(
      SegmentErrorCode.RuleInvalid,
      400,
      `The segment rule is not valid: ${errors[0]?.field ?? 'rule'} ${errors[0]?.message ?? ''}`.trim(),
      errors,
    );
  }
}

describeConstraint(
  'segments_brand_name_key',
  SegmentErrorCode.NameTaken,
  'A segment with this name exists',
  'name',
);
