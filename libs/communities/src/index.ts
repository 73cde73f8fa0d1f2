export * from './communities-http.module';
export * from './communities-worker.module';
export * from './communities.module';
export * from './communities.constants';
export * from './communities.errors';
export * from './community-sql';
export { GroupsService } from './groups.service';
export type {
  GroupQuery,
  GroupTarget,
  GroupView,
  MemberGroupView,
  MembershipView,
  StaffView,
} from './groups.service';
export { GroupTagsService } from './group-tags.service';
export type { GroupTagView } from './group-tags.service';
export { CommunitySyncService } from './sync/community-sync.service';
export type { SyncRunView } from './sync/community-sync.service';
export * from './jobs/communities.queue';
export { CONTACT_EVENTS_HANDLER, GROUP_EVENTS_HANDLER } from './callbacks/community-callbacks';
export * from './community-segment-fields';
