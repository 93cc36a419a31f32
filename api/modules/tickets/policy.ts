// The API's callers are principals of the one visibility rule the worker's notifications also use.
export { visibleTo, USER_SEES_TICKET_SQL, type Scope } from '../../../platform/access/ticket-visibility';
