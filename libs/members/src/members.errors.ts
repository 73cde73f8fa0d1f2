import { DomainException, describeConstraint, FieldError } from '@siyu/platform';

export enum MemberErrorCode {
  IdentityConflict = 'MEMBER_IDENTITY_CONFLICT',
  MergeSameMember = 'MEMBER_MERGE_SAME',
  NotActive = 'MEMBER_NOT_ACTIVE',
  TagNameTaken = 'TAG_NAME_TAKEN',
  TagNotFound = 'TAG_NOT_FOUND',
  ImportFileMissing = 'MEMBER_IMPORT_FILE_MISSING',
  ImportHeaderInvalid = 'MEMBER_IMPORT_HEADER_INVALID',
  ImportCsvMalformed = 'MEMBER_IMPORT_CSV_MALFORMED',
  ImportEmpty = 'MEMBER_IMPORT_EMPTY',
  ImportUploadBroken = 'MEMBER_IMPORT_UPLOAD_BROKEN',
  ImportTooLarge = 'MEMBER_IMPORT_TOO_LARGE',
  AudienceUnavailable = 'AUDIENCE_RESOLVER_UNAVAILABLE',
}

export class MemberException extends DomainException {
  /** The identities given belong to two (or more) different members: merge them first. */
  static identityConflict(memberIds: string[], errors: FieldError[]): MemberException {
    return new MemberException(
      MemberErrorCode.IdentityConflict,
      409,
      `The identities belong to different members: ${memberIds.join(' and ')}. Merge them with POST /v1/members/merge first.`,
      errors,
    );
  }

  static mergeSame(): MemberException {
    return new MemberException(
      MemberErrorCode.MergeSameMember,
      400,
      'survivorId and mergedId must be different members',
      [{ field: 'mergedId', message: 'mergedId must differ from survivorId' }],
    );
  }

  static notActive(id: string, why: 'erased' | 'merged'): MemberException {
    return new MemberException(
      MemberErrorCode.NotActive,
      409,
      `Member ${id} is ${why} and cannot be changed`,
    );
  }

  static tagsNotFound(ids: string[]): MemberException {
    return new MemberException(MemberErrorCode.TagNotFound, 404, `Tag ${ids.join(', ')} was not found`, [
      { field: 'tagIds', message: `unknown tag id(s): ${ids.join(', ')}` },
    ]);
  }

  static fileMissing(): MemberException {
    return new MemberException(
      MemberErrorCode.ImportFileMissing,
      400,
      'Send the CSV as multipart/form-data in a part named "file"',
      [{ field: 'file', message: 'file is required (multipart/form-data)' }],
    );
  }

  static headerInvalid(errors: FieldError[]): MemberException {
    return new MemberException(
      MemberErrorCode.ImportHeaderInvalid,
      400,
      'The CSV header is not the documented one',
      errors,
    );
  }

  static csvMalformed(line: number | undefined, reason: string): MemberException {
    return new MemberException(
      MemberErrorCode.ImportCsvMalformed,
      400,
      `The file is not valid CSV${line ? ` at line ${line}` : ''}: ${reason}`,
      [{ field: 'file', message: reason }],
    );
  }

  static importEmpty(): MemberException {
    return new MemberException(MemberErrorCode.ImportEmpty, 400, 'The file has a header but no rows', [
      { field: 'file', message: 'file has no rows' },
    ]);
  }

  static uploadBroken(reason: string): MemberException {
    return new MemberException(
      MemberErrorCode.ImportUploadBroken,
      400,
      `The upload could not be read: ${reason.slice(0, 200)}`,
      [{ field: 'file', message: 'the multipart body is broken or ended early' }],
    );
  }

  static tooLarge(limitBytes: number): MemberException {
    return new MemberException(
      MemberErrorCode.ImportTooLarge,
      413,
      `The file is larger than the limit of ${limitBytes} bytes`,
      [{ field: 'file', message: `file must be at most ${limitBytes} bytes` }],
    );
  }

  static audienceUnavailable(kind: string): MemberException {
    return new MemberException(
      MemberErrorCode.AudienceUnavailable,
      422,
      `No audience resolver for "${kind}" is installed`,
      [
        {
          field: kind === 'segment' ? 'segmentId' : kind,
          message: `${kind} audiences are not available yet`,
        },
      ],
    );
  }
}

describeConstraint(
  'tags_brand_name_key',
  MemberErrorCode.TagNameTaken,
  'A tag with this name exists',
  'name',
);
describeConstraint(
  'member_identities_key',
  MemberErrorCode.IdentityConflict,
  'This identity already belongs to another member',
  'identities',
);
