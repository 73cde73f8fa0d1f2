import { describeConstraint, DomainException } from '@siyu/platform';

export enum CommunityErrorCode {
  GroupNotFound = 'GROUP_NOT_FOUND',
  GroupTagNotFound = 'GROUP_TAG_NOT_FOUND',
  GroupTagNameTaken = 'GROUP_TAG_NAME_TAKEN',
  SyncRunNotFound = 'GROUP_SYNC_NOT_FOUND',
  WecomNotConfigured = 'WECOM_NOT_CONFIGURED',
}

export class CommunityException extends DomainException {
  static groupNotFound(id: string): CommunityException {
    return new CommunityException(CommunityErrorCode.GroupNotFound, 404, `group chat ${id} was not found`);
  }

  static tagsNotFound(ids: string[]): CommunityException {
    return new CommunityException(
      CommunityErrorCode.GroupTagNotFound,
      404,
      `group tag ${ids.join(', ')} was not found`,
      [{ field: 'tagIds', message: `unknown group tag id(s): ${ids.join(', ')}` }],
    );
  }

  static tagNotFound(id: string): CommunityException {
    return new CommunityException(CommunityErrorCode.GroupTagNotFound, 404, `group tag ${id} was not found`);
  }

  static syncRunNotFound(id: string): CommunityException {
    return new CommunityException(CommunityErrorCode.SyncRunNotFound, 404, `group sync ${id} was not found`);
  }

  static wecomNotConfigured(): CommunityException {
    return new CommunityException(
      CommunityErrorCode.WecomNotConfigured,
      422,
      'This brand has no WeCom corp configured: PUT /v1/channels/wecom first',
    );
  }
}

describeConstraint(
  'community_group_tags_name_key',
  CommunityErrorCode.GroupTagNameTaken,
  'A group tag with this name exists',
  'name',
);
