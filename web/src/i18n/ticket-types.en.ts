// English messages of the ticket types admin page; French mirrors this shape in ticket-types.fr.ts.
const ticketTypesEn = {
  nav: 'Ticket types',
  title: 'Ticket types',
  intro: 'Kinds of work beyond incidents, service requests, problems and work orders. Each is run by a published workflow definition (its states, fields and SLA); a change of definition applies to tickets opened after it.',
  new: 'New ticket type',
  builtIn: 'Built in',
  definition: 'Workflow definition',
  definitionHint: 'Tickets of this type open on the latest published version of it.',
  listed: 'The definitions listing it',
  customers: 'Customers may open it',
  customersMayOpen: 'Customers may open it from the portal',
  nameEn: 'Name (English)',
  nameFr: 'Name (French)',
  edit: 'Edit',
  editOf: 'Edit {name}',
  remove: 'Remove',
  removeOf: 'Remove {name}',
  saved: 'Ticket type {name} saved.',
  removed: 'Ticket type {name} removed.',
};
export type TicketTypeMessages = typeof ticketTypesEn;
export default ticketTypesEn;
