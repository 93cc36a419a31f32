// Search covers the conversation, stemmed in English and French: a ticket is found by words of its comments and shows
// the comment that matched; customers never find a ticket, or read an extract, through an internal note.
import { ADMIN, Session, eventually, signedInAs, unique } from '../support/http';

let agent: Session;
let customer: Session;
beforeAll(async () => {
  const admin = await Session.login(ADMIN.email, ADMIN.password);
  agent = await signedInAs(admin, 'agent');
  customer = await signedInAs(admin, 'customer');
});

const ids = (r: { body: { items: Array<{ id: string }> } }) => r.body.items.map((x) => x.id);

it('should find tickets by their comments in English and French, with the matching comment, and keep internal notes from customers', async () => {
  const word = unique('zorblax').replace(/[^a-z]/g, '');
  const t = (await customer.post('/api/tickets', { type: 'incident', title: unique('Laptop'), priority: 'low' })).body;
  expect((await customer.post(`/api/tickets/${t.id}/comments`, { body: `Les imprimantes du ${word} sont bloquées depuis hier.` })).status).toBe(201);
  const secret = unique('quuxnote').replace(/[^a-z]/g, '');
  expect((await agent.post(`/api/tickets/${t.id}/comments`, { body: `Vendor contract ${secret} expired`, visibility: 'internal' })).status).toBe(201);

  // French stemming: "imprimante bloquée" finds "imprimantes … bloquées"; the extract marks the words.
  const found = await eventually(async () => {
    const r = await agent.get(`/api/tickets?q=${encodeURIComponent(`imprimante bloquée ${word}`)}`);
    return ids(r).includes(t.id) ? r : undefined;
  });
  const item = found.body.items.find((x: { id: string }) => x.id === t.id);
  expect(item.match.snippet).toContain('⟦imprimantes⟧');
  expect(typeof item.match.seq).toBe('number');
  // Staff find internal notes; customers do not, neither the ticket nor the words.
  expect(ids(await agent.get(`/api/tickets?q=${secret}`))).toEqual([t.id]);
  const theirs = await customer.get(`/api/tickets?q=${secret}`);
  expect(ids(theirs)).toEqual([]);
  const mine = await customer.get(`/api/tickets?q=${word}`);
  expect(ids(mine)).toEqual([t.id]);
  expect(mine.body.items[0].match).toEqual({ snippet: expect.stringContaining(`⟦${word}⟧`) });
  // English stemming on comments too, and a ticket number finds its ticket.
  expect((await agent.post(`/api/tickets/${t.id}/comments`, { body: `Rebooted the ${word} routers twice`, visibility: 'public' })).status).toBe(201);
  expect(ids(await agent.get(`/api/tickets?q=${encodeURIComponent(`${word} router rebooting`)}`))).toEqual([t.id]);
  expect(ids(await agent.get(`/api/tickets?q=${t.number.toLowerCase()}`))).toEqual([t.id]);
});
