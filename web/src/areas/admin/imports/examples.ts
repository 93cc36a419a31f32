// A small example file per kind of CSV import, offered for download beside the column list: the quickest way to see
// the header, the date format and how comments are written.
export const CSV_EXAMPLES: Record<'organisations' | 'users' | 'assets' | 'tickets', string[][]> = {
  organisations: [
    ['id', 'name'],
    ['ORG-1', 'Acme Corp'],
    ['ORG-2', 'Globex'],
  ],
  users: [
    ['email', 'name', 'role', 'organisation', 'locale', 'phone'],
    ['alice@acme.example', 'Alice Martin', 'customer', 'Acme Corp', 'fr', '+33 1 23 45 67 89'],
    ['sam@desk.example', 'Sam Agent', 'agent', '', 'en', ''],
  ],
  assets: [
    ['id', 'name', 'kind', 'category', 'location', 'criticality'],
    ['A-100', 'Boiler 1', 'equipment', 'heating', 'Basement', 'high'],
    ['S-1', 'Lyon office', 'site', '', 'Lyon', 'medium'],
  ],
  tickets: [
    ['id', 'type', 'title', 'description', 'priority', 'state', 'queue', 'requester', 'requester_name', 'assignee', 'created_at', 'closed_at', 'tags', 'comment', 'note'],
    ['T-1', 'incident', 'Printer jams', 'On every second page.', 'medium', 'closed', 'service_desk', 'alice@acme.example', 'Alice Martin', 'sam@desk.example', '2024-03-01T09:00:00Z', '2024-03-02T16:00:00Z', 'printer', '2024-03-01T09:30:00Z;sam@desk.example;A new drum is on its way.', '2024-03-01T09:31:00Z;sam@desk.example;Drum ordered from the usual supplier.'],
    ['T-2', 'incident', 'VPN drops', 'Every few minutes since Monday.', 'high', 'in_progress', 'service_desk', 'bob@globex.example', 'Bob Durand', 'sam@desk.example', '2024-05-06 08:15', '', 'vpn', '2024-05-06T08:40:00Z;bob@globex.example;Still dropping this morning.', ''],
  ],
};

const cell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export const exampleCsv = (kind: keyof typeof CSV_EXAMPLES): string => CSV_EXAMPLES[kind].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
